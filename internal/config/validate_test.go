package config

import (
	"slices"
	"strings"
	"testing"
)

func TestValidUser(t *testing.T) {
	cases := []struct {
		user    string
		wantErr string
	}{
		{"65532:65532", ""},
		{"65532", ""},
		{"0", ""},
		{"root", ""},
		{"nonroot:nonroot", ""},
		{"app-user:100", ""},
		{"", "empty"},
		{"  ", "empty"},
		{"a:b:c", "USER:GROUP"},
		{"-1", "not a user or group id"},
		{"1:", "empty user or group"},
		{":1", "empty user or group"},
		{"2147483648", "not a user or group id"},
		{"007", "not a user or group id"},
		{"Bad Name", "not a valid user or group name"},
	}
	for _, c := range cases {
		t.Run(c.user, func(t *testing.T) {
			err := ValidUser(c.user)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("ValidUser(%q) = %v", c.user, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("ValidUser(%q) = %v, want an error containing %q", c.user, err, c.wantErr)
			}
		})
	}
}

// TestValidateNamesSource: a bad value is refused naming where it came
// from: the variable for the environment, else the layer.
func TestValidateNamesSource(t *testing.T) {
	tests := []struct {
		name  string
		layer func() (Layer, error)
		want  []string
	}{
		{"empty BERTH_USER", func() (Layer, error) {
			return FromEnv(mapLookup(map[string]string{"BERTH_USER": ""}))
		}, []string{`user ""`, "BERTH_USER"}},
		{"BERTH_SBOM", func() (Layer, error) {
			return FromEnv(mapLookup(map[string]string{"BERTH_SBOM": "SPDX"}))
		}, []string{`sbom "SPDX"`, "BERTH_SBOM", "spdx, cyclonedx, none"}},
		{"sbom in Cargo.toml", func() (Layer, error) {
			return FromMetadata("Cargo.toml [workspace.metadata.berth]", []byte(`{"berth":{"sbom":"swid"}}`))
		}, []string{`sbom "swid"`, "from Cargo.toml [workspace.metadata.berth]"}},
		{"--sbom", func() (Layer, error) {
			return Layer{Name: "flag", Values: Build{SBOM: ptr("")}}, nil
		}, []string{`sbom ""`, "from flag"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := tt.layer()
			if err != nil {
				t.Fatal(err)
			}
			r := Resolve(Layer{Name: "default", Values: Defaults()}, l)
			err = r.Validate()
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %v, want an error containing %q", err, w)
				}
			}
		})
	}
}

// TestValidateSettings: each bad value is refused before any work, naming
// the setting and where it came from; good ones pass, ports normalised.
func TestValidateSettings(t *testing.T) {
	const pkg = "Cargo.toml [package.metadata.berth]"
	tests := []struct {
		name   string
		env    map[string]string
		meta   string
		flags  Build
		want   []string // error parts; nil: no error
		expose []string // normalised ports, when no error
	}{
		{"expose 70000", nil, ``, Build{Expose: []string{"70000"}}, []string{"expose", "from flag", `"70000"`, "1 to 65535"}, nil},
		{"expose 0", map[string]string{"BERTH_EXPOSE": "0"}, ``, Build{}, []string{"expose", "BERTH_EXPOSE", "not a port"}, nil},
		{"expose -1", nil, `{"expose":["-1"]}`, Build{}, []string{"expose", pkg, `"-1"`}, nil},
		{"expose icmp", nil, ``, Build{Expose: []string{"8080/icmp"}}, []string{"expose", "from flag", "icmp", "tcp, udp, sctp"}, nil},
		{"expose garbage", nil, ``, Build{Expose: []string{"http"}}, []string{"expose", `"http"`}, nil},
		{"expose empty", nil, ``, Build{Expose: []string{""}}, []string{"expose", "not a port"}, nil},
		{"expose +80", nil, ``, Build{Expose: []string{"+80"}}, []string{"expose", "not a port"}, nil},
		{"expose reversed range", nil, ``, Build{Expose: []string{"8010-8000"}}, []string{"expose", "ends before it starts"}, nil},
		{"expose TCP", nil, ``, Build{Expose: []string{"8080/TCP", "53/Udp", "9000"}}, nil, []string{"8080/tcp", "53/udp", "9000/tcp"}},
		{"expose range", nil, ``, Build{Expose: []string{"8000-8002/tcp", "8001"}}, nil, []string{"8000/tcp", "8001/tcp", "8002/tcp"}},
		{"empty label key", nil, `{"labels":{"":"x"}}`, Build{}, []string{"labels", pkg, "empty label name"}, nil},
		{"env key with =", nil, `{"env":{"A=B":"x"}}`, Build{}, []string{"env", pkg, `"A=B"`, `"="`}, nil},
		{"env key with newline", map[string]string{}, ``, Build{Env: map[string]string{"A\nB": "x"}}, []string{"env", "from flag", "control character"}, nil},
		{"label value with NUL", nil, ``, Build{Labels: map[string]string{"a": "x\x00"}}, []string{"labels", "NUL"}, nil},
		{"relative include destination", nil, `{"include":["conf:etc/app"]}`, Build{}, []string{"include", pkg, "relative", "conf:/etc/app"}, nil},
		{"include without destination", map[string]string{"BERTH_INCLUDE": "conf"}, ``, Build{}, []string{"include", "BERTH_INCLUDE", "HOST_PATH:/"}, nil},
		{"good include", nil, `{"include":["conf:/etc/app"]}`, Build{}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meta, err := FromMetadata(pkg, []byte(`{"berth":`+or(tt.meta, "{}")+`}`))
			if err != nil {
				t.Fatal(err)
			}
			env, err := FromEnv(mapLookup(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			r := Resolve(Layer{Name: "default", Values: Defaults()}, meta, env, Layer{Name: "flag", Values: tt.flags})
			err = r.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v", err)
				}
				if tt.expose != nil && !slices.Equal(r.Expose, tt.expose) {
					t.Errorf("expose = %q, want %q", r.Expose, tt.expose)
				}
				return
			}
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("Validate = %v, want an error containing %q", err, w)
				}
			}
		})
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func TestValidLibraryPaths(t *testing.T) {
	tests := []struct {
		dirs []string
		want string
	}{
		{[]string{"/opt/lib", "/usr/local/lib"}, ""},
		{[]string{"/opt/lib", "lib"}, `"lib" is relative`},
		{[]string{"./vendor/lib"}, "/vendor/lib"},
		{[]string{"/a:/b"}, "one directory per flag"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.dirs, ","), func(t *testing.T) {
			err := ValidLibraryPaths(tt.dirs)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("ValidLibraryPaths = %v, want %q", err, tt.want)
			}
		})
	}
}
