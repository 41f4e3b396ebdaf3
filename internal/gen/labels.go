package gen

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Detection IDs the labels name.
const (
	DetImpossibleTravel  = "impossible-travel"
	DetInfrequentCountry = "infrequent-country"
	DetAnonymousIP       = "anonymous-ip"
	DetPasswordSpray     = "password-spray"
	DetMaliciousIP       = "malicious-ip-activity"
	DetBruteForce        = "brute-force-success"
	DetMassDeletion      = "mass-resource-deletion"

	DetMicroBurst            = "microburst"
	DetAzurite               = "azurite"
	DetInactiveAccount       = "inactive-account-persistence"
	DetPowerShellPersistence = "powershell-persistence"
	DetPersistenceTechnique  = "persistence-technique"
)

// ManagementDetections are the detections whose labels point at Activity
// Log records (by time and principal) rather than sign-ins.
var ManagementDetections = []string{DetMicroBurst, DetAzurite, DetInactiveAccount, DetPowerShellPersistence, DetPersistenceTechnique, DetMassDeletion}

// Label is one line of labels.jsonl: an alert a detection is expected to
// raise, on the event whose properties.id is Key.
type Label struct {
	Detection string    `json:"detection"`
	Principal string    `json:"principal"`
	Time      time.Time `json:"time"`
	Key       string    `json:"key"`
	Scenario  string    `json:"scenario"`
}

// ReadLabels reads a labels.jsonl file.
func ReadLabels(path string) ([]Label, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gen: %w", err)
	}
	defer f.Close()
	var out []Label
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l Label
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("gen: %s:%d: %w", path, line, err)
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("gen: %s: %w", path, err)
	}
	return out, nil
}

func writeLabels(path string, labels []Label) error {
	slices.SortFunc(labels, func(a, b Label) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.Detection, b.Detection)
	})
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, l := range labels {
		if err := enc.Encode(l); err != nil {
			f.Close()
			return fmt.Errorf("gen: write labels: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("gen: write labels: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("gen: write labels: %w", err)
	}
	return nil
}
