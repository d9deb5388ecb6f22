package carepath

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// Readings by text: a patient texting "BG 182", "BP 150/95",
// "glucosa 9,8 mmol" or "peso 82 kg". The whole message must be one
// reading: a name, the number(s), an optional unit and nothing else, so an
// ordinary sentence or a bare number (a bare "2" is an answer) is never
// read as a measurement.

// readingNames maps what patients call a measurement (English and Spanish,
// lower case, accents removed) to its code.
var readingNames = map[string]string{
	"bg": "blood_glucose", "bs": "blood_glucose", "glucose": "blood_glucose", "sugar": "blood_glucose",
	"blood sugar": "blood_glucose", "blood glucose": "blood_glucose", "glucosa": "blood_glucose",
	"azucar": "blood_glucose", "glucemia": "blood_glucose", "glicemia": "blood_glucose",
	"bp": "blood_pressure", "blood pressure": "blood_pressure", "presion": "blood_pressure",
	"presion arterial": "blood_pressure", "pa": "blood_pressure", "tension": "blood_pressure",
	"weight": "weight", "wt": "weight", "peso": "weight",
	"temp": "temperature", "temperature": "temperature", "temperatura": "temperature",
	"o2": "spo2", "spo2": "spo2", "sp02": "spo2", "sat": "spo2", "sats": "spo2", "oxygen": "spo2",
	"oxigeno": "spo2", "saturacion": "spo2",
	"pulse": "heart_rate", "hr": "heart_rate", "heart rate": "heart_rate", "pulso": "heart_rate",
}

// readingUnits maps the units patients write (lower case) to the UCUM
// code, per measurement.
var readingUnits = map[string]map[string]string{
	"blood_glucose":  {"mg/dl": "mg/dL", "mg": "mg/dL", "mmol/l": "mmol/L", "mmol": "mmol/L"},
	"blood_pressure": {"mmhg": "mm[Hg]", "mm hg": "mm[Hg]"},
	"weight": {"kg": "kg", "kgs": "kg", "kilo": "kg", "kilos": "kg", "lb": "[lb_av]", "lbs": "[lb_av]",
		"pound": "[lb_av]", "pounds": "[lb_av]", "libra": "[lb_av]", "libras": "[lb_av]"},
	"temperature": {"c": "Cel", "°c": "Cel", "f": "[degF]", "°f": "[degF]"},
	"spo2":        {"%": "%"},
	"heart_rate":  {"bpm": "/min", "/min": "/min"},
}

var readingPattern = regexp.MustCompile(`^([a-z][a-z0-9 ]*?)\s*[:=\-]?\s*(\d{1,4}(?:[.,]\d{1,2})?)(?:\s*/\s*(\d{2,3}))?\s*([a-z°%/ ]*?)\s*[.!]*$`)

// ParseReadingText reads a text message as one reading. The observation
// has no ID or time: the caller sets them from the message. ok is false
// for anything that is not plainly a reading.
func ParseReadingText(body string) (NewObservation, bool) {
	s := accents.Replace(strings.ToLower(strings.Join(strings.Fields(body), " ")))
	m := readingPattern.FindStringSubmatch(s)
	if m == nil {
		return NewObservation{}, false
	}
	code, ok := readingNames[m[1]]
	if !ok {
		return NewObservation{}, false
	}
	num := strings.Replace(m[2], ",", ".", 1)
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return NewObservation{}, false
	}
	if (code == "blood_pressure") != (m[3] != "") {
		return NewObservation{}, false // a pressure needs both numbers; nothing else has two
	}
	unit, ok := readingUnit(code, m[4], v)
	if !ok {
		return NewObservation{}, false
	}
	value := json.RawMessage(strconv.FormatFloat(v, 'f', -1, 64))
	if code == "blood_pressure" {
		value, _ = json.Marshal(num + "/" + m[3]) // a string never fails to encode
	}
	return NewObservation{Code: code, Value: value, Unit: unit}, true
}

// readingUnit is the UCUM unit of a reading, from what was written or, if
// nothing was, from the number: glucose under 35 can only be mmol/L (35
// mmol/L is 630 mg/dL), a temperature of 50 or more only °F. A weight
// needs its unit: 80 could be either.
func readingUnit(code, written string, v float64) (string, bool) {
	if code == "temperature" && (written == "°" || written == "deg" || written == "degrees" || written == "grados") {
		written = "" // degrees of which scale: the number says
	}
	if written != "" {
		u, ok := readingUnits[code][written]
		return u, ok
	}
	switch code {
	case "blood_glucose":
		if v < 35 {
			return "mmol/L", true
		}
		return "mg/dL", true
	case "temperature":
		if v >= 50 {
			return "[degF]", true
		}
		return "Cel", true
	case "weight":
		return "", false
	}
	return CanonicalUnit(code), true
}

// accents folds the accented letters of Spanish, so "presión" reads as
// "presion" and "azúcar" as "azucar".
var accents = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u")
