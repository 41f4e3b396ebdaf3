package normalize

import (
	"math/bits"
	"net/netip"
	"time"
)

// Quick paths for the timestamps and addresses nearly every record
// carries. Each accepts a subset of what the standard parser accepts and
// gives exactly its result there; anything else (ok false) is left to the
// standard parser, errors and all.

// quickRFC3339 is time.Parse(time.RFC3339Nano, s) in UTC for the forms
// records use: digits where the layout has them, in range, an optional
// fraction of 1 to 9 digits and "Z" or a ±hh:mm offset. The standard
// library's RFC 3339 path checks the same, then builds the time through
// time.Date and looks the offset up in the local zone, which is what this
// saves.
func quickRFC3339(s string) (time.Time, bool) {
	minute, ok := quickMinute(s)
	if !ok {
		return time.Time{}, false
	}
	return quickSeconds(s, minute)
}

// quickMinute reads the date, hour and minute of a quickRFC3339
// timestamp, s[:16], as seconds since the epoch before the zone offset.
// It checks that s is long enough for quickSeconds.
func quickMinute(s string) (int64, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") ||
		s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' {
		return 0, false
	}
	y1, y2 := two(s, 0), two(s, 2)
	month, day, hour, minute := two(s, 5), two(s, 8), two(s, 11), two(s, 14)
	if y1|y2|month|day|hour|minute < 0 {
		return 0, false
	}
	year := y1*100 + y2
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 {
		return 0, false
	}
	return daysSinceEpoch(year, month, day)*86400 + int64(hour*3600+minute*60), true
}

// quickSeconds reads the rest of a quickRFC3339 timestamp, from s[16]
// on (":05", the fraction, the zone), whose minute quickMinute read.
func quickSeconds(s string, minute int64) (time.Time, bool) {
	sec := two(s, 17)
	if s[16] != ':' || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	rest, nsec := s[19:], 0
	if rest[0] == '.' {
		n, frac := fracDigits(rest[1:])
		if n == 0 || n > 9 {
			return time.Time{}, false // no digit, or more than nine
		}
		nsec = frac * fracScale[9-n]
		rest = rest[1+n:]
	}
	offset := 0
	switch {
	case rest == "Z":
	case len(rest) == len("-07:00") && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
		hh, mm := two(rest, 1), two(rest, 4)
		if hh|mm < 0 || hh > 23 || mm > 59 {
			return time.Time{}, false
		}
		if offset = (hh*60 + mm) * 60; rest[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	return time.Unix(minute+int64(sec-offset), int64(nsec)).UTC(), true
}

// minuteCache is quickRFC3339 remembering the minute of the last
// timestamp it read: records come in time order, dozens a minute, and a
// timestamp of the same minute (the same first 16 bytes) has only its
// seconds, fraction and zone read.
type minuteCache struct {
	p0, p1 uint64 // s[:16] of the minute held
	minute int64
	ok     bool
}

func (c *minuteCache) rfc3339(s string) (time.Time, bool) {
	if c.ok && len(s) >= len("2006-01-02T15:04:05Z") && load64(s, 0) == c.p0 && load64(s, 8) == c.p1 {
		return quickSeconds(s, c.minute)
	}
	minute, ok := quickMinute(s)
	if !ok {
		return time.Time{}, false
	}
	c.p0, c.p1, c.minute, c.ok = load64(s, 0), load64(s, 8), minute, true
	return quickSeconds(s, minute)
}

// fracDigits reads the digits that open s: how many (10 for more than
// nine) and the number the first nine of them write. Eight at a time:
// after subtracting '0' from each byte, a digit is a byte below 10; the
// first byte that is not one (its high bit set by the test below) ends
// them, and what borrows or carries from it only reaches the bytes after
// it.
func fracDigits(s string) (n, v int) {
	if len(s) < 8 {
		for ; n < len(s) && s[n]-'0' < 10; n++ {
			if n == 9 {
				return 10, 0
			}
			v = v*10 + int(s[n]-'0')
		}
		return n, v
	}
	d := load64(s, 0) - 0x3030303030303030
	if n = bits.TrailingZeros64((d|(d+0x7676767676767676))&0x8080808080808080) / 8; n < 8 {
		return n, eightDigits(d << (8 * (8 - n))) // the digits moved up, zeros before them
	}
	v = eightDigits(d)
	if len(s) > 8 && s[8]-'0' < 10 {
		v, n = v*10+int(s[8]-'0'), 9
		if len(s) > 9 && s[9]-'0' < 10 {
			n = 10
		}
	}
	return n, v
}

// eightDigits is the number written by eight digit values, one a byte,
// the first in the low byte: pairs, then quads, then the eight
// (D. Lemire's multiply-and-shift steps).
func eightDigits(d uint64) int {
	d = (d * (10<<8 + 1)) >> 8 & 0x00ff00ff00ff00ff
	d = (d * (100<<16 + 1)) >> 16 & 0x0000ffff0000ffff
	return int((d * (10000<<32 + 1)) >> 32 & 0xffffffff)
}

// fracScale[k] is 10^k: a fraction of 9-k digits times it is nanoseconds.
var fracScale = [...]int{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// two is the number written by the two digits at s[i], or -1.
func two(s string, i int) int {
	hi, lo := s[i]-'0', s[i+1]-'0'
	if hi > 9 || lo > 9 {
		return -1
	}
	return int(hi)*10 + int(lo)
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysSinceEpoch is the number of days from 1970-01-01 to the given date
// of the proleptic Gregorian calendar (H. Hinnant's days_from_civil).
func daysSinceEpoch(year, month, day int) int64 {
	y := int64(year)
	if month <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	doy := (153*int64((month+9)%12)+2)/5 + int64(day) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// quickIPv4 is netip.ParseAddr for a dotted quad as netip accepts it:
// four decimal octets of at most 255, none with a leading zero. An octet
// at a time, its one to three digits read without a loop.
func quickIPv4(s string) (netip.Addr, bool) {
	var a [4]byte
	i := 0
	for f := range a {
		if f > 0 {
			if i >= len(s) || s[i] != '.' {
				return netip.Addr{}, false
			}
			i++
		}
		if i >= len(s) || s[i]-'0' > 9 {
			return netip.Addr{}, false
		}
		v := int(s[i] - '0')
		if i++; i < len(s) && s[i]-'0' <= 9 {
			if v == 0 {
				return netip.Addr{}, false // a leading zero
			}
			v = v*10 + int(s[i]-'0')
			if i++; i < len(s) && s[i]-'0' <= 9 {
				if v = v*10 + int(s[i]-'0'); v > 255 {
					return netip.Addr{}, false
				}
				i++
			}
		}
		a[f] = byte(v)
	}
	if i != len(s) {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(a), true
}
