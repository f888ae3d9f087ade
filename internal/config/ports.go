package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Protocols are the protocols an exposed port may name, as Docker's EXPOSE.
var Protocols = []string{"tcp", "udp", "sctp"}

// NormalPorts checks exposed ports and returns them as the image config
// writes them, "8080/tcp": PORT[/PROTO] with PORT 1-65535 and PROTO tcp
// (the default), udp or sctp in any case, as Docker accepts; a range
// FIRST-LAST[/PROTO] becomes one entry per port, as Docker's EXPOSE does.
// Duplicates are dropped, the order kept.
func NormalPorts(values []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, v := range values {
		ports, err := expandPort(v)
		if err != nil {
			return nil, err
		}
		for _, p := range ports {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// expandPort is the ports one value names.
func expandPort(v string) ([]string, error) {
	num, proto, hasProto := strings.Cut(v, "/")
	proto = strings.ToLower(proto)
	if !hasProto {
		proto = "tcp"
	}
	if !validProtocol(proto) {
		return nil, fmt.Errorf("%q: protocol %q is not one of %s; write PORT/tcp, PORT/udp or PORT/sctp", v, proto, strings.Join(Protocols, ", "))
	}
	first, last, isRange := strings.Cut(num, "-")
	lo, err := portNumber(v, first)
	if err != nil {
		return nil, err
	}
	hi := lo
	if isRange {
		if hi, err = portNumber(v, last); err != nil {
			return nil, err
		}
		if hi < lo {
			return nil, fmt.Errorf("%q: the range ends before it starts; write LOW-HIGH", v)
		}
	}
	out := make([]string, 0, hi-lo+1)
	for n := lo; n <= hi; n++ {
		out = append(out, fmt.Sprintf("%d/%s", n, proto))
	}
	return out, nil
}

func validProtocol(p string) bool {
	for _, q := range Protocols {
		if p == q {
			return true
		}
	}
	return false
}

// portNumber parses one port of v: digits only, 1-65535.
func portNumber(v, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 || strings.ContainsAny(s, "+-") {
		return 0, fmt.Errorf("%q: %q is not a port number; want PORT[/PROTO] or FIRST-LAST[/PROTO] with ports from 1 to 65535", v, s)
	}
	return n, nil
}
