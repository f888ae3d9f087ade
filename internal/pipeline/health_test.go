package pipeline

import (
	"reflect"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/berth-dev/berth/internal/config"
)

func TestHealthcheck(t *testing.T) {
	s := func(v string) *string { return &v }
	tests := []struct {
		name    string
		build   config.Build
		want    *v1.HealthConfig
		wantErr string
	}{
		{"none", config.Build{}, nil, ""},
		{"exec", config.Build{Healthcheck: s("CMD /usr/local/bin/api --health")}, &v1.HealthConfig{Test: []string{"CMD", "/usr/local/bin/api", "--health"}}, ""},
		{"bare", config.Build{Healthcheck: s("/bin/api  --health ")}, &v1.HealthConfig{Test: []string{"CMD", "/bin/api", "--health"}}, ""},
		{"json", config.Build{Healthcheck: s(`CMD ["/bin/api", "a b"]`)}, &v1.HealthConfig{Test: []string{"CMD", "/bin/api", "a b"}}, ""},
		{"shell", config.Build{Healthcheck: s("CMD-SHELL wget -q -O- localhost || exit 1")}, &v1.HealthConfig{Test: []string{"CMD-SHELL", "wget -q -O- localhost || exit 1"}}, ""},
		{"NONE", config.Build{Healthcheck: s("NONE")}, &v1.HealthConfig{Test: []string{"NONE"}}, ""},
		{"options", config.Build{Healthcheck: s("CMD /a"), HealthInterval: s("5s"), HealthTimeout: s("1s"), HealthRetries: s("2"), HealthStartPeriod: s("1m")},
			&v1.HealthConfig{Test: []string{"CMD", "/a"}, Interval: 5 * time.Second, Timeout: time.Second, Retries: 2, StartPeriod: time.Minute}, ""},
		{"empty", config.Build{Healthcheck: s("CMD ")}, nil, "want a command"},
		{"bad json", config.Build{Healthcheck: s(`CMD ["/a",`)}, nil, "JSON form"},
		{"bad interval", config.Build{Healthcheck: s("CMD /a"), HealthInterval: s("5")}, nil, "health-interval \"5\" (from flag)"},
		{"negative retries", config.Build{Healthcheck: s("CMD /a"), HealthRetries: s("-1")}, nil, "whole number"},
		{"option alone", config.Build{HealthTimeout: s("1s")}, nil, "no healthcheck is set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Resolve(config.Layer{Name: "flag", Values: tt.build})
			got, err := Healthcheck(cfg)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !IsInput(err) {
					t.Fatalf("err = %v, want an input error with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
