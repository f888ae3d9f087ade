package cli

import (
	"strconv"

	"github.com/spf13/pflag"

	"github.com/berth-dev/berth/internal/config"
	"github.com/berth-dev/berth/internal/dockerfile"
	"github.com/berth-dev/berth/internal/pipeline"
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
	setStrings(changed, []stringFlag{
		{"healthcheck", &v.Healthcheck, &h.cmd}, {"health-interval", &v.HealthInterval, &h.interval},
		{"health-timeout", &v.HealthTimeout, &h.timeout}, {"health-retries", &v.HealthRetries, &h.retries},
		{"health-start-period", &v.HealthStartPeriod, &h.startPeriod},
	})
}

// carryExtraSettings maps tzdata, init and the health check onto the
// Dockerfile: the stage step gets tzdata and init as flags, the runtime
// stage the entrypoint and HEALTHCHECK line.
func carryExtraSettings(cfg config.Resolved, spec *dockerfile.Spec) error {
	spec.Init = cfg.Init != nil && *cfg.Init
	if cfg.TZData != nil {
		spec.TZData = strconv.FormatBool(*cfg.TZData)
	}
	h, err := pipeline.Healthcheck(cfg)
	if err != nil || h == nil {
		return err
	}
	spec.Health = &dockerfile.Health{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	return nil
}
