# Sourced by the benchmarks: start_registry DIR starts distribution's
# registry on a free 127.0.0.1 port with its storage and log in DIR, waits
# until it answers, and sets port and reg_pid (the caller's EXIT trap kills
# reg_pid).
start_registry() {
	local dir=$1
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	mkdir -p "$dir/reg"
	printf 'version: 0.1\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\nlog: {level: error}\n' "$dir/reg" "$port" >"$dir/reg.yml"
	OTEL_TRACES_EXPORTER=none registry serve "$dir/reg.yml" >"$dir/reg.log" 2>&1 &
	reg_pid=$!
	for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/v2/" >/dev/null && return; sleep 0.1; done
	echo "the registry did not start; its log:" >&2
	cat "$dir/reg.log" >&2
	return 1
}
