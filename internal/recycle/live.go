//go:build !vedettepoison

package recycle

import "github.com/vedette/vedette/internal/event"

// Poisoning reports whether released events are poisoned (the
// vedettepoison build tag).
const Poisoning = false

// quarantine is empty in a normal build: released events are recycled at
// once.
type quarantine struct{}

func (quarantine) hold(e *event.Event) *event.Event { return e }

// Check does nothing in a normal build; built with the vedettepoison tag,
// it panics when e was released.
func Check(*event.Event) {}

// CheckAlerts does nothing in a normal build; built with the vedettepoison
// tag, it panics when an alert shows anything of a released event.
func CheckAlerts([]event.Alert) {}
