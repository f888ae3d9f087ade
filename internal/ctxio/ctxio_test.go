package ctxio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestStopsOnceDone(t *testing.T) {
	live, cancel := context.WithCancel(context.Background())
	done, stop := context.WithCancel(context.Background())
	stop()
	defer cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		wantErr error
	}{
		{"live context copies", live, nil},
		{"done context stops", done, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name+" (reader)", func(t *testing.T) {
			var counted int64
			var out bytes.Buffer
			_, err := io.Copy(&out, NewReader(tt.ctx, strings.NewReader("data"), func(n int64) { counted += n }))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && (out.String() != "data" || counted != 4)) {
				t.Errorf("copied %q, counted %d, error %v; want error %v", out.String(), counted, err, tt.wantErr)
			}
		})
		t.Run(tt.name+" (writer)", func(t *testing.T) {
			var out bytes.Buffer
			_, err := io.Copy(NewWriter(tt.ctx, &out), strings.NewReader("data"))
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && out.String() != "data") {
				t.Errorf("copied %q, error %v; want error %v", out.String(), err, tt.wantErr)
			}
		})
	}
}
