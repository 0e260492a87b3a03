package control

import (
	"fmt"
	"slices"
	"strings"
)

// A fan that does not work (its tachometer reads a stall though it is
// driven, or its output cannot be set) removes no air: the booths it
// serves lose its extraction and the staff area part of its air. Like
// untrusted data it fails safe, for every law alike (the guard's rule, so
// that ventbench compares control, not safety):
//
//   - the fan itself is asked for at least its safe duty: a fan stalled at
//     a low speed (an EC fan below its start voltage, a wheel caught for
//     a moment) most often turns again when driven harder, and a fan that
//     cannot be set is asked nothing less;
//   - every other fan of its booths runs at least at its safe duty, to
//     take over what the booth has lost.
//
// Both are floors: a session's full speed or a purge stands.
//
// Fans of other booths stay under their law: the staff area's sensors see
// what the lost extraction leaks, and ventd's law prices it. ventd's law
// also counts a fan that does not work as moving no air, so that its
// booths' decay is not learned from a fan that was not turning.

// faultFloor raises d to f's safe duty while why (a fan of its booths does
// not work) is set. It is a floor: where the law asks more (a session's
// full speed, a purge) its decision stands, for a safe duty below full
// must not slow the fans that are left in a session.
func faultFloor(d Decision, f FanSpec, why string) Decision {
	if why == "" || d.Duty >= f.SafeDuty {
		return d
	}
	d.Duty, d.Mode, d.Reason, d.StaffBlind, d.FanFault = f.SafeDuty, ModeSafe, why, false, true
	return d
}

// fanFaults is why each fan of a room does not work, "" for one that does.
type fanFaults []string

// set records fan i's fault (why it does not work, or "" once it works
// again) and reports whether it changed.
func (ff *fanFaults) set(n, i int, why string) bool {
	if i < 0 || i >= n {
		return false
	}
	if *ff == nil {
		if why == "" {
			return false
		}
		*ff = make(fanFaults, n)
	}
	if (*ff)[i] == why {
		return false
	}
	(*ff)[i] = why
	return true
}

// dead reports whether fan i does not work.
func (ff fanFaults) dead(i int) bool { return i < len(ff) && ff[i] != "" }

// reason is why fan i runs at its safe duty for a fan that does not work,
// its own fault first, or "" when it and every fan of its booths work.
func (ff fanFaults) reason(p Params, i int) string {
	if len(ff) == 0 {
		return ""
	}
	if ff[i] != "" {
		return fmt.Sprintf("fan %s: %s: at its safe duty", p.Fans[i].Name, ff[i])
	}
	var mates []string
	for j, why := range ff {
		if why == "" || j == i {
			continue
		}
		for _, b := range p.Fans[j].Booths {
			if slices.Contains(p.Fans[i].Booths, b) {
				mates = append(mates, fmt.Sprintf("%s's fan %s: %s", p.Booths[b].Zone, p.Fans[j].Name, why))
				break
			}
		}
	}
	if len(mates) == 0 {
		return ""
	}
	return strings.Join(mates, "; ") + ": at the safe duty to take over its extraction"
}
