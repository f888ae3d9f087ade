package config

import (
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

// TestValidateNamesSource: an empty user from the environment is refused,
// naming BERTH_USER.
func TestValidateNamesSource(t *testing.T) {
	env, err := FromEnv(func(k string) (string, bool) { return "", k == "BERTH_USER" })
	if err != nil {
		t.Fatal(err)
	}
	r := Resolve(Layer{Name: "default", Values: Defaults()}, env)
	err = r.Validate()
	if err == nil || !strings.Contains(err.Error(), "BERTH_USER") {
		t.Fatalf("Validate = %v, want an error naming BERTH_USER", err)
	}
}
