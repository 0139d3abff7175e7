#!/usr/bin/env bash
# Installs what Neolia needs on a Debian 12 machine that has only the .NET 10 SDK:
# PostgreSQL and Redis (run as local processes by the stack and the tests), setpriv (runs PostgreSQL as
# its own user when we are root), Node.js and npm (the official LiveKit SDK the contract tests compare against),
# Chromium (the tests render the API reference page in a real browser).
# Idempotent: installs only what is missing.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
command -v setpriv >/dev/null || missing+=(util-linux)
command -v curl >/dev/null || missing+=(curl)
# openssl s_client: the edge TLS tests offer TLS 1.0/1.1 with it (.NET's client will not).
command -v openssl >/dev/null || missing+=(openssl)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
compgen -G "/usr/bin/chromium*" >/dev/null || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq -o DPkg::Lock::Timeout=300
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
fi

# Door video (issue 13): ffmpeg is the media relay's engine; GStreamer's RTSP server plays the door camera in the
# tests (Neolia.Tests/Media/rtsp_server.py), ffmpeg's RTMP listener the LiveKit Ingress.
media=(ffmpeg gstreamer1.0-tools gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly
  gstreamer1.0-libav gstreamer1.0-rtsp gir1.2-gst-rtsp-server-1.0 python3-gst-1.0)
missing_media=()
for package in "${media[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing_media+=("$package")
done
if [ ${#missing_media[@]} -gt 0 ]; then
  echo "Installing: ${missing_media[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq -o DPkg::Lock::Timeout=300
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing_media[@]}" >/dev/null
fi
