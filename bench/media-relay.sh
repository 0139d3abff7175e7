#!/usr/bin/env bash
# Door-stream capacity of one relay replica (issue 13): one camera (GStreamer's RTSP server, H.264 640x360 25 fps,
# the tests' rtsp_server.py), N concurrent relay streams run with exactly the relay's ffmpeg arguments
# (Neolia.MediaRelay/Streams/Ffmpeg.cs `Relay`: RTSP over TCP in, H.264 copied, FLV over RTMP out), each received by
# an ffmpeg RTMP listener standing in for LiveKit Ingress. Prints, per step, the relay side's CPU (sum of the relay
# ffmpeg processes, in % of one core) and whether every receiver got frames at the camera's rate.
#   bench/media-relay.sh --steps "5 10 20 40" --seconds 15 [--size 1280x720]
set -uo pipefail
cd "$(dirname "$0")/.."
steps="5 10 20 40"; seconds=15; size=640x360
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) steps="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    *) echo "usage: $0 [--steps \"5 10 20\"] [--seconds 15] [--size WxH]" >&2; exit 2 ;;
  esac
done
command -v ffmpeg >/dev/null || scripts/install-prerequisites.sh
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)

cam_port=$(free_port)
/usr/bin/python3 Neolia.Tests/Media/rtsp_server.py "$cam_port" "${size%x*}" "${size#*x}" > "$work/camera.log" 2>&1 & pids+=($!)
cam_pid=$!
until grep -q ready "$work/camera.log"; do sleep 0.1; done
rtsp="rtsp://127.0.0.1:$cam_port/live/ch00_0"
echo "camera $rtsp ($size, 25 fps); load average: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs"

for n in $steps; do
  relays=(); receivers=(); ports=()
  for i in $(seq 1 "$n"); do
    port=$(free_port); ports+=("$port")
    ffmpeg -hide_banner -loglevel error -listen 1 -i "rtmp://127.0.0.1:$port/live/k$i" -c copy -f null - \
      -progress "$work/recv-$n-$i.progress" > /dev/null 2>&1 & pids+=($!); receivers+=($!)
  done
  sleep 1 # every receiver listening
  for i in $(seq 1 "$n"); do
    port=${ports[$((i-1))]}
    ffmpeg -hide_banner -nostdin -loglevel error -rtsp_transport tcp -timeout 5000000 -analyzeduration 500000 -probesize 500000 \
      -i "$rtsp" -map 0:v:0 -c:v copy -an -f flv -flvflags no_duration_filesize "rtmp://127.0.0.1:$port/live/k$i" \
      -progress pipe:1 -stats_period 0.5 > /dev/null 2> "$work/relay-$n-$i.err" & pids+=($!); relays+=($!)
  done
  sleep 3 # every stream started and past its first keyframe
  before=0; for p in "${relays[@]}"; do before=$((before + $(ticks "$p"))); done
  cam_before=$(ticks "$cam_pid")
  frames_before=(); for i in $(seq 1 "$n"); do frames_before+=("$(grep -o 'frame=[0-9]*' "$work/recv-$n-$i.progress" 2>/dev/null | tail -1 | cut -d= -f2)"); done
  sleep "$seconds"
  after=0; for p in "${relays[@]}"; do after=$((after + $(ticks "$p"))); done
  cam_after=$(ticks "$cam_pid")
  flowing=0; min_fps=999
  for i in $(seq 1 "$n"); do
    f=$(grep -o 'frame=[0-9]*' "$work/recv-$n-$i.progress" 2>/dev/null | tail -1 | cut -d= -f2)
    fps=$(( (${f:-0} - ${frames_before[$((i-1))]:-0}) / seconds ))
    [ "$fps" -ge 20 ] && flowing=$((flowing + 1))
    [ "$fps" -lt "$min_fps" ] && min_fps=$fps
  done
  cpu=$(awk -v t=$((after - before)) -v hz="$hz" -v s="$seconds" 'BEGIN{printf "%.1f", 100*t/hz/s}')
  per=$(awk -v c="$cpu" -v n="$n" 'BEGIN{printf "%.2f", c/n}')
  cam=$(awk -v t=$((cam_after - cam_before)) -v hz="$hz" -v s="$seconds" 'BEGIN{printf "%.0f", 100*t/hz/s}')
  rss=0; for p in "${relays[@]}"; do rss=$((rss + $(awk '/VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0))); done
  echo "{\"streams\":$n,\"flowing_at_20fps_or_more\":$flowing,\"min_fps\":$min_fps,\"relay_cpu_pct_of_one_core\":$cpu,\"cpu_pct_per_stream\":$per,\"relay_rss_kb_per_stream\":$((rss / n)),\"camera_cpu_pct\":$cam,\"load\":\"$(cut -d' ' -f1 /proc/loadavg)\"}"
  for p in "${relays[@]}" "${receivers[@]}"; do kill "$p" 2>/dev/null || true; done
  wait "${relays[@]}" "${receivers[@]}" 2>/dev/null || true
done
