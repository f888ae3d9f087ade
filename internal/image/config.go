package image

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// applyConfig writes opts over the base's config in cf.
func applyConfig(cf *v1.ConfigFile, opts Options, created v1.Time) error {
	cf.Created = created
	if opts.Platform.OS != "" {
		cf.OS = opts.Platform.OS
	}
	if opts.Platform.Architecture != "" {
		cf.Architecture = opts.Platform.Architecture
	}
	if opts.Platform.Variant != "" || opts.Platform.Architecture != "" {
		cf.Variant = opts.Platform.Variant
	}
	if opts.Platform.OSVersion != "" {
		cf.OSVersion = opts.Platform.OSVersion
	}
	c := &cf.Config
	if opts.Entrypoint != nil {
		c.Entrypoint = opts.Entrypoint
		c.Cmd = opts.Cmd
	} else if opts.Cmd != nil {
		c.Cmd = opts.Cmd
	}
	env, err := mergeEnv(c.Env, opts.Env)
	if err != nil {
		return err
	}
	c.Env = env
	if opts.User != "" {
		c.User = opts.User
	}
	if opts.WorkingDir != "" {
		c.WorkingDir = opts.WorkingDir
	}
	if opts.Healthcheck != nil {
		c.Healthcheck = opts.Healthcheck
	}
	if err := addPorts(c, opts.ExposedPorts); err != nil {
		return err
	}
	if len(opts.Labels) > 0 && c.Labels == nil {
		c.Labels = map[string]string{}
	}
	for k, v := range opts.Labels {
		c.Labels[k] = v
	}
	cf.History = append(cf.History, v1.History{
		Created:    created,
		CreatedBy:  "berth: config " + describeConfig(c),
		Comment:    "berth",
		EmptyLayer: true,
	})
	return nil
}

// mergeEnv replaces base entries by key, in place, and appends new keys.
func mergeEnv(base, over []string) ([]string, error) {
	out := append([]string(nil), base...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range over {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("environment entry %q must look like KEY=value", kv)
		}
		if i, seen := index[k]; seen {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out, nil
}

// addPorts adds "port[/proto]" entries, proto tcp, udp or sctp (default tcp).
func addPorts(c *v1.Config, ports []string) error {
	for _, p := range ports {
		num, proto, _ := strings.Cut(p, "/")
		if proto == "" {
			proto = "tcp"
		}
		n, err := strconv.ParseUint(num, 10, 16)
		if err != nil || n == 0 || (proto != "tcp" && proto != "udp" && proto != "sctp") {
			return fmt.Errorf("exposed port %q must look like 8080/tcp (port 1-65535, protocol tcp, udp or sctp)", p)
		}
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		c.ExposedPorts[fmt.Sprintf("%d/%s", n, proto)] = struct{}{}
	}
	return nil
}

// describeConfig renders the runtime config for the image history, so that
// `docker history` shows how the image starts.
func describeConfig(c *v1.Config) string {
	var parts []string
	add := func(key string, v any) {
		b, _ := json.Marshal(v)
		parts = append(parts, key+"="+string(b))
	}
	if c.Entrypoint != nil {
		add("entrypoint", c.Entrypoint)
	}
	if c.Cmd != nil {
		add("cmd", c.Cmd)
	}
	if c.User != "" {
		add("user", c.User)
	}
	if c.WorkingDir != "" {
		add("workdir", c.WorkingDir)
	}
	return strings.Join(parts, " ")
}
