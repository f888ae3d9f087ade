package dockerfile

import (
	"encoding/json"
	"fmt"
	"strings"
)

// InitPath is Debian's static tini, which the runtime stage runs.
const InitPath = "/usr/bin/tini-static"

// validateRuntime checks the runtime settings: tzdata's value and a health
// check a HEALTHCHECK line can carry.
func (s Spec) validateRuntime() error {
	if s.TZData != "" && s.TZData != "true" && s.TZData != "false" {
		return fmt.Errorf("dockerfile: tzdata %q: want true, false or unset", s.TZData)
	}
	if s.Health == nil {
		return nil
	}
	h := s.Health
	if h.Interval < 0 || h.Timeout < 0 || h.StartPeriod < 0 || h.Retries < 0 {
		return fmt.Errorf("dockerfile: the health check's options must not be negative")
	}
	for _, a := range h.Test {
		if strings.ContainsAny(a, "\r\n") {
			return fmt.Errorf("dockerfile: the health check %q spans lines, which a HEALTHCHECK line cannot carry", a)
		}
	}
	switch {
	case len(h.Test) == 1 && h.Test[0] == "NONE":
	case len(h.Test) >= 2 && h.Test[0] == "CMD":
	case len(h.Test) == 2 && h.Test[0] == "CMD-SHELL":
	default:
		return fmt.Errorf("dockerfile: health check %q: want [CMD args...], [CMD-SHELL command] or [NONE]", h.Test)
	}
	return nil
}

// healthLine is the HEALTHCHECK instruction's arguments, "" for none.
func healthLine(h *Health) string {
	if h == nil {
		return ""
	}
	if h.Test[0] == "NONE" {
		return "NONE"
	}
	var opts []string
	for _, o := range []struct {
		name string
		set  bool
		val  string
	}{
		{"interval", h.Interval > 0, h.Interval.String()}, {"timeout", h.Timeout > 0, h.Timeout.String()},
		{"start-period", h.StartPeriod > 0, h.StartPeriod.String()}, {"retries", h.Retries > 0, fmt.Sprint(h.Retries)},
	} {
		if o.set {
			opts = append(opts, "--"+o.name+"="+o.val)
		}
	}
	cmd := h.Test[1]
	if h.Test[0] == "CMD" {
		b, _ := json.Marshal(h.Test[1:]) // strings always encode
		cmd = string(b)
	}
	return strings.TrimSpace(strings.Join(opts, " ") + " CMD " + cmd)
}

// entrypoint is the runtime image's ENTRYPOINT, exec form.
func entrypoint(s Spec) string {
	args := []string{"/usr/local/bin/" + s.Bin}
	if s.Init {
		args = append([]string{InitPath, "--"}, args...)
	}
	b, _ := json.Marshal(args)
	return strings.ReplaceAll(string(b), ",", ", ")
}

// builderPackages are the Debian packages the builder installs for the
// runtime files: tini for Init, tzdata when asked for.
func builderPackages(s Spec) string {
	var pkgs []string
	if s.Init {
		pkgs = append(pkgs, "tini")
	}
	if s.TZData == "true" {
		pkgs = append(pkgs, "tzdata")
	}
	return strings.Join(pkgs, " ")
}

// extraFlags are stage's flags for the runtime extras.
func extraFlags(s Spec) []string {
	var flags []string
	if s.Init {
		flags = append(flags, "--init")
	}
	if s.TZData != "" {
		flags = append(flags, "--tzdata="+s.TZData)
	}
	return flags
}
