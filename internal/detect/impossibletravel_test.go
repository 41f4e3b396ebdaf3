package detect_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
)

func TestImpossibleTravel(t *testing.T) { runCases(t, "impossible-travel") }

// TestTravelSuppressionIsTheReason turns off, for each quiet case, the
// suppression it is about: the case must then alert, so it is quiet for
// that reason and no other.
func TestTravelSuppressionIsTheReason(t *testing.T) {
	t.Parallel()
	for file, off := range map[string][]string{
		"corporate-vpn":      {detect.SuppressDeclared},
		"shared-egress":      {detect.SuppressSharedIP, detect.SuppressSharedNetwork},
		"office-network":     {detect.SuppressSharedNetwork},
		"sase-pool-v6":       {detect.SuppressSharedNetwork},
		"mobile-carrier-hub": {detect.SuppressSharedNetwork},
		"cloud-pc-hop":       {detect.SuppressUserHop},
		"split-tunnel-hop":   {detect.SuppressOrgHop},
		"org-anonymiser":     {detect.SuppressOrgAnonymiser},
	} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			ar, err := txtar.ParseFile(filepath.Join("testdata", "impossible-travel", file+".txtar"))
			if err != nil {
				t.Fatal(err)
			}
			cfg := config.Default()
			cfg.Detections.ImpossibleTravel.Settings.SuppressionsOff = off
			var got []event.Alert
			for _, a := range replay(t, cfg, ar.Files[0].Data) {
				if a.Detection == "impossible-travel" {
					got = append(got, a)
				}
			}
			if len(got) != 1 {
				t.Fatalf("with %s off: %d alerts, want 1", off, len(got))
			}
			for _, name := range off {
				i := slices.IndexFunc(got[0].SuppressionsChecked, func(c event.SuppressionCheck) bool { return c.Name == name })
				if i < 0 || !strings.Contains(got[0].SuppressionsChecked[i].Why, "turned off") {
					t.Errorf("checks %+v do not say %s was turned off", got[0].SuppressionsChecked, name)
				}
			}
		})
	}
}

// TestTravelDescription pins the wording: sign-ins "signed in", management
// operations "performed", seconds rather than a speed for activities under
// a minute apart, and no empty app names.
func TestTravelDescription(t *testing.T) {
	t.Parallel()
	data := []byte(`{"t":"2026-10-01T08:00:00Z","p":"dave@contoso.com","ip":"81.2.69.160","cc":"GB","city":"London","lat":51.5074,"lon":-0.1278}
{"t":"2026-10-10T09:00:00Z","p":"dave@contoso.com","ip":"81.2.69.160","cc":"GB","city":"London","lat":51.5074,"lon":-0.1278}
{"t":"2026-10-10T09:00:09Z","p":"dave@contoso.com","ip":"1.144.110.23","cc":"AU","city":"Sydney","lat":-33.8688,"lon":151.2093,"op":"Microsoft.Compute/virtualMachines/write"}`)
	alerts := replay(t, config.Default(), data)
	if len(alerts) == 0 {
		t.Fatal("no alert")
	}
	d := alerts[0].Description
	for _, want := range []string{"dave@contoso.com signed in from 81.2.69.160", `and performed "microsoft.compute/virtualmachines/write" from 1.144.110.23`, "9s apart, which no travel covers"} {
		if !strings.Contains(d, want) {
			t.Errorf("description lacks %q:\n%s", want, d)
		}
	}
	for _, bad := range []string{`""`, "km/h, faster", "app"} {
		if strings.Contains(d, bad) {
			t.Errorf("description has %q:\n%s", bad, d)
		}
	}
	if n := len(alerts[0].SuppressionsChecked); n != len(detect.TravelSuppressions)+1 {
		t.Errorf("%d suppressions checked, want %d", n, len(detect.TravelSuppressions)+1)
	}
}
