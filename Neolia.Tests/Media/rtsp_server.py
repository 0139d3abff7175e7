#!/usr/bin/python3
"""A door camera for the tests: GStreamer's RTSP server serving H.264 of a moving test pattern.

Usage: rtsp_server.py PORT WIDTH HEIGHT [USER PASSWORD]
Serves rtsp://127.0.0.1:PORT/live/ch00_0 (one shared encoder for every client); with USER and PASSWORD the
server asks for digest credentials. Prints "ready" once it listens and its own keeper client receives video.

The keeper holds the shared media playing for the server's life, so clients always join a running pipeline:
GStreamer's RTSP server aborts (an assertion in gst_rtsp_media_get_rates) when clients PLAY a freshly prepared
shared media at the same moment, as the relay's snapshot and stream do.
"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PATH = "/live/ch00_0"


def main():
    port, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    credentials = sys.argv[4:6] if len(sys.argv) >= 6 else None
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(port)

    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f"( videotestsrc is-live=true pattern=ball ! video/x-raw,width={width},height={height},framerate=25/1 "
        "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=25 bitrate=800 "
        "! video/x-h264,profile=baseline ! rtph264pay name=pay0 pt=96 config-interval=1 )")
    factory.set_shared(True)

    if credentials:
        auth = GstRtspServer.RTSPAuth()
        auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "door")
        auth.add_digest(credentials[0], credentials[1], token)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role("door")
        permissions.add_permission_for_role("door", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
        permissions.add_permission_for_role("door", GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
        factory.set_permissions(permissions)

    server.get_mount_points().add_factory(PATH, factory)
    if server.attach(None) == 0:
        print("could not listen", flush=True)
        sys.exit(1)

    auth = f" user-id={credentials[0]} user-pw={credentials[1]}" if credentials else ""
    keeper = Gst.parse_launch(
        f"rtspsrc location=rtsp://127.0.0.1:{port}{PATH} protocols=tcp latency=0{auth} "
        "! fakesink name=sink sync=false signal-handoffs=true")
    receiving = []

    def on_handoff(*_):
        if not receiving:
            receiving.append(True)
            GLib.idle_add(lambda: print("ready", flush=True))

    keeper.get_by_name("sink").connect("handoff", on_handoff)
    keeper.set_state(Gst.State.PLAYING)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
