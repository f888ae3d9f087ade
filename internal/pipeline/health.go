package pipeline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/config"
)

// Healthcheck reads the healthcheck settings into Docker's Healthcheck;
// nil when none is set. The command is "CMD a b" (the exec form, split at
// spaces: the image has no shell to read quotes), CMD ["a", "b"] (JSON),
// "CMD-SHELL ..." (for an image with /bin/sh) or NONE; a bare command is
// the exec form. Errors are input errors naming the setting's source.
func Healthcheck(cfg config.Resolved) (*v1.HealthConfig, error) {
	if cfg.Healthcheck == nil {
		for _, key := range []string{"health-interval", "health-timeout", "health-retries", "health-start-period"} {
			if _, set := cfg.Sources[key]; set {
				return nil, inputf("%s (from %s) is an option of the health check, but no healthcheck is set: give --healthcheck \"CMD ...\"", key, cfg.Source(key))
			}
		}
		return nil, nil
	}
	test, err := healthTest(*cfg.Healthcheck)
	if err != nil {
		return nil, inputf("healthcheck %q (from %s): %v", *cfg.Healthcheck, cfg.Source("healthcheck"), err)
	}
	h := &v1.HealthConfig{Test: test}
	durations := []struct {
		key string
		val *string
		to  *time.Duration
	}{{"health-interval", cfg.HealthInterval, &h.Interval}, {"health-timeout", cfg.HealthTimeout, &h.Timeout}, {"health-start-period", cfg.HealthStartPeriod, &h.StartPeriod}}
	for _, d := range durations {
		if d.val == nil {
			continue
		}
		if *d.to, err = time.ParseDuration(*d.val); err != nil || *d.to < time.Millisecond {
			return nil, inputf("%s %q (from %s): want a duration of at least 1ms, such as 30s or 1m30s", d.key, *d.val, cfg.Source(d.key))
		}
	}
	if cfg.HealthRetries != nil {
		if h.Retries, err = strconv.Atoi(*cfg.HealthRetries); err != nil || h.Retries < 0 {
			return nil, inputf("health-retries %q (from %s): want a whole number, 0 or more", *cfg.HealthRetries, cfg.Source("health-retries"))
		}
	}
	return h, nil
}

// healthTest is the Test of Docker's Healthcheck for the command s.
func healthTest(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	kind, rest, _ := strings.Cut(s, " ")
	rest = strings.TrimSpace(rest)
	switch kind {
	case "NONE":
		if rest != "" {
			return nil, fmt.Errorf("NONE takes no command")
		}
		return []string{"NONE"}, nil
	case "CMD-SHELL":
		if rest == "" {
			return nil, fmt.Errorf("CMD-SHELL needs a command")
		}
		return []string{"CMD-SHELL", rest}, nil
	case "CMD":
	default:
		rest = s
	}
	var args []string
	if strings.HasPrefix(rest, "[") {
		if err := json.Unmarshal([]byte(rest), &args); err != nil {
			return nil, fmt.Errorf("the JSON form is not a list of strings: %v", err)
		}
	} else {
		args = strings.Fields(rest)
	}
	if len(args) == 0 || args[0] == "" {
		return nil, fmt.Errorf(`want a command: "CMD /usr/local/bin/api --health"`)
	}
	return append([]string{"CMD"}, args...), nil
}
