package config

import (
	"fmt"
	"time"

	"github.com/vedette/vedette/internal/baseline"
)

// validateIdentity checks the credential and deletion detections against
// what the baseline remembers.
func (d Detections) validateIdentity(where string) []error {
	var errs []error
	ps, bf, md := d.PasswordSpray.Settings, d.BruteForceSuccess.Settings, d.MassDeletion.Settings
	if ps.MinAccounts < 2 || ps.MinAccounts > baseline.MaxFailAccounts {
		errs = append(errs, fmt.Errorf("%s.password_spray.min_accounts: %d is outside 2..%d (distinct accounts per network are counted exactly up to %d)",
			where, ps.MinAccounts, baseline.MaxFailAccounts, baseline.MaxFailAccounts))
	}
	if ps.Window <= 0 || ps.Window > baseline.FailureRun {
		errs = append(errs, fmt.Errorf("%s.password_spray.window: %s is outside (0, %s] (failures are kept that long)", where, ps.Window, baseline.FailureRun))
	}
	if bf.MinFailures < 2 {
		errs = append(errs, fmt.Errorf("%s.brute_force_success.min_failures: %d, want at least 2", where, bf.MinFailures))
	}
	if bf.Within <= 0 || bf.Within > 24*time.Hour {
		errs = append(errs, fmt.Errorf("%s.brute_force_success.within: %s is outside (0, 24h]", where, bf.Within))
	}
	if md.MinDeletions < 2 {
		errs = append(errs, fmt.Errorf("%s.mass_resource_deletion.min_deletions: %d, want at least 2", where, md.MinDeletions))
	}
	if md.Learning < 0 {
		errs = append(errs, fmt.Errorf("%s.mass_resource_deletion.learning: must not be negative", where))
	}
	if md.UsualFactor < 1 {
		errs = append(errs, fmt.Errorf("%s.mass_resource_deletion.usual_factor: %d, want at least 1", where, md.UsualFactor))
	}
	return errs
}
