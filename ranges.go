package carepath

import "fmt"

// Safe ranges: the readings a care team wants to hear about at once, too
// low as well as too high, judged in the code's canonical unit (units.go).
// A journey's params may tighten or move the primary bounds for one care
// plan (treatment follow-up's low and high); the defaults below apply to
// every reading, whether or not a follow-up is running.

// Bound is one edge of a safe range.
type Bound struct {
	Value float64
	// Inclusive: a reading equal to Value is already out of range (≥ or
	// ≤); otherwise only one beyond it is (> or <).
	Inclusive bool
}

// below reports whether v is out of range under a low bound.
func (b *Bound) below(v float64) bool {
	return b != nil && (v < b.Value || b.Inclusive && v == b.Value)
}

// above reports whether v is out of range over a high bound.
func (b *Bound) above(v float64) bool {
	return b != nil && (v > b.Value || b.Inclusive && v == b.Value)
}

func (b *Bound) String(op string) string {
	if b.Inclusive {
		op += "="
	}
	return fmt.Sprintf("%s %g", op, b.Value)
}

// SafeRange is a code's safe range. Nil bounds do not apply (SpO2 has no
// upper bound: 100 % is not a problem).
type SafeRange struct {
	Low, High   *Bound // on the value (systolic, for blood pressure)
	Low2, High2 *Bound // on the second value (diastolic)
	// Severe bounds make the task urgent rather than high priority.
	SevereLow, SevereHigh *Bound
}

func below(v float64) *Bound     { return &Bound{Value: v} }
func above(v float64) *Bound     { return &Bound{Value: v} }
func atOrAbove(v float64) *Bound { return &Bound{Value: v, Inclusive: true} }

// DefaultSafeRanges are the defaults per code, in canonical units. Sources:
//
//   - blood_glucose (mg/dL): low < 70, level 1 hypoglycaemia, and severe
//     < 54, level 2 ("clinically significant"), per the ADA Standards of
//     Care (section 6, glycaemic goals and hypoglycaemia); high > 250, where
//     ADA sick-day guidance has people with diabetes check ketones, and the
//     treatment follow-up's long-standing default.
//   - spo2 (%): low < 92, the level below which UK NHS home pulse-oximetry
//     guidance and BTS oxygen guidance call for prompt assessment; severe
//     < 88, below even the 88–92 % target of patients at risk of
//     hypercapnia (BTS). No upper bound.
//   - blood_pressure (mm[Hg]): high systolic ≥ 180 or diastolic ≥ 120, the
//     ACC/AHA 2017 hypertensive-crisis level; low systolic < 90, the usual
//     definition of hypotension.
//   - heart_rate (/min): < 40 or > 130, where NEWS2 (Royal College of
//     Physicians, 2017) scores 3, its highest single-parameter score.
//   - temperature (Cel): fever ≥ 38.0 (100.4 °F), the CDC/IDSA definition;
//     hypothermia < 35.0.
//   - weight: no fixed range; a change over time is a trend, not a bound.
var DefaultSafeRanges = map[string]SafeRange{
	"blood_glucose":  {Low: below(70), High: above(250), SevereLow: below(54)},
	"spo2":           {Low: below(92), SevereLow: below(88)},
	"blood_pressure": {Low: below(90), High: atOrAbove(180), High2: atOrAbove(120)},
	"heart_rate":     {Low: below(40), High: above(130)},
	"temperature":    {Low: below(35), High: atOrAbove(38)},
}

// SafeRangeFor is the code's default safe range with a care plan's own
// bounds on the value: low and high replace the default lower and upper
// bounds ("below low", "above high"); zero keeps the default.
func SafeRangeFor(code string, low, high float64) SafeRange {
	r := DefaultSafeRanges[code]
	if low > 0 {
		r.Low = below(low)
	}
	if high > 0 {
		r.High = above(high)
	}
	return r
}

// ReadingFlag says on which side of its safe range a reading fell.
type ReadingFlag string

// Reading flags.
const (
	ReadingInRange ReadingFlag = ""
	ReadingLow     ReadingFlag = "low"
	ReadingHigh    ReadingFlag = "high"
)

// Judgement is what a safe range says of a reading.
type Judgement struct {
	Flag     ReadingFlag
	Severe   bool
	Priority Priority // of the task it raises: urgent if severe, else high
	Rule     string   // the bound crossed, for the task's note ("systolic < 90")
}

// Out reports whether the reading is outside the safe range.
func (j Judgement) Out() bool { return j.Flag != ReadingInRange }

// Judge judges a reading (v2: blood pressure's diastolic, or nil) in the
// code's canonical unit.
func (r SafeRange) Judge(v float64, v2 *float64) Judgement {
	out := func(flag ReadingFlag, severe bool, rule string) Judgement {
		p := PriorityHigh
		if severe {
			p = PriorityUrgent
		}
		return Judgement{Flag: flag, Severe: severe, Priority: p, Rule: rule}
	}
	switch {
	case r.SevereLow.below(v):
		return out(ReadingLow, true, r.SevereLow.String("<"))
	case r.SevereHigh.above(v):
		return out(ReadingHigh, true, r.SevereHigh.String(">"))
	case r.Low.below(v):
		return out(ReadingLow, false, r.Low.String("<"))
	case r.High.above(v):
		return out(ReadingHigh, false, r.High.String(">"))
	case v2 != nil && r.High2.above(*v2):
		return out(ReadingHigh, false, "diastolic "+r.High2.String(">"))
	case v2 != nil && r.Low2.below(*v2):
		return out(ReadingLow, false, "diastolic "+r.Low2.String("<"))
	}
	return Judgement{}
}

// JudgeReading judges a reading against its code's default safe range.
func JudgeReading(code string, v float64, v2 *float64) Judgement {
	return DefaultSafeRanges[code].Judge(v, v2)
}
