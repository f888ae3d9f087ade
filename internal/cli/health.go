package cli

import (
	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/config"
)

// healthFlags are the health check's flags, named as docker run names its
// options (--health-interval, ...).
type healthFlags struct {
	cmd, interval, timeout, retries, startPeriod string
}

func (h *healthFlags) add(f *pflag.FlagSet) {
	f.StringVar(&h.cmd, "healthcheck", "", `the image's health check: "CMD /usr/local/bin/api --health" (exec form, split at spaces; or CMD ["a", "b"] as JSON), or NONE`)
	f.StringVar(&h.interval, "health-interval", "", "time between health checks (ms|s|m|h; docker's default 30s)")
	f.StringVar(&h.timeout, "health-timeout", "", "time a health check may take (docker's default 30s)")
	f.StringVar(&h.retries, "health-retries", "", "consecutive failures before unhealthy (docker's default 3)")
	f.StringVar(&h.startPeriod, "health-start-period", "", "time after start during which failures do not count (docker's default 0s)")
}

// layer puts the health flags the user set into v.
func (h *healthFlags) layer(changed map[string]bool, v *config.Build) {
	strs := []struct {
		flag string
		to   **string
		val  *string
	}{
		{"healthcheck", &v.Healthcheck, &h.cmd}, {"health-interval", &v.HealthInterval, &h.interval},
		{"health-timeout", &v.HealthTimeout, &h.timeout}, {"health-retries", &v.HealthRetries, &h.retries},
		{"health-start-period", &v.HealthStartPeriod, &h.startPeriod},
	}
	for _, s := range strs {
		if changed[s.flag] {
			*s.to = s.val
		}
	}
}
