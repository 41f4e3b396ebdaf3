package flowlog

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

func TestIsFlowLog(t *testing.T) {
	t.Parallel()
	ext := filepath.Join("..", "..", "..", "shared", "testdata-external", "microsoft-docs-examples")
	if _, err := os.Stat(ext); err != nil {
		t.Skip("shared testdata-external not present")
	}
	dir := t.TempDir()
	vnet, err := os.ReadFile(filepath.Join(ext, "vnet-flow-log-v4.json"))
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(vnet)
	zw.Close()
	os.WriteFile(filepath.Join(dir, "vnet.json.gz"), gz.Bytes(), 0o600)
	tests := []struct {
		path string
		want bool
	}{
		{filepath.Join(ext, "nsg-flow-log-v2.json"), true},
		{filepath.Join(ext, "vnet-flow-log-v4.json"), true},
		{filepath.Join(dir, "vnet.json.gz"), true},
		{filepath.Join(ext, "activity-log-rest-administrative.json"), false},
		{filepath.Join(ext, "entra-signin-azure-monitor-record.json"), false},
	}
	for _, tt := range tests {
		got, err := IsFlowLog(tt.path)
		if err != nil || got != tt.want {
			t.Errorf("IsFlowLog(%s) = %v, %v; want %v", filepath.Base(tt.path), got, err, tt.want)
		}
	}
	if _, err := IsFlowLog(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: no error")
	}
}
