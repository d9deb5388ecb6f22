package config_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

func TestSendFleetSettings(t *testing.T) {
	twilio := map[string]string{"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "tok123", "TWILIO_FROM_NUMBER": "+15550001000",
		"CAREPATH_SMS_PER_SECOND": "20"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range twilio {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	c, err := config.FromEnv(env(with(nil)))
	if err != nil || len(c.SendFleet.Numbers) != 1 || c.SendFleet.Numbers[0] != (config.SendNumber{Number: "+15550001000", PerSecond: 20}) ||
		c.SendFleet.Limiter != config.LimiterShared || c.SendFleet.LimiterSet || c.SendFleet.TotalPerSecond(c.SMSPerSecond) != 20 {
		t.Fatalf("one number, the shared limiter by default: %+v %v", c.SendFleet, err)
	}
	c, err = config.FromEnv(env(with(map[string]string{"TWILIO_FROM_NUMBERS": "+15550001001, +15550001002=5"})))
	if err != nil || len(c.SendFleet.Numbers) != 3 || c.SendFleet.Numbers[1].PerSecond != 20 || c.SendFleet.Numbers[2].PerSecond != 5 ||
		c.SendFleet.TotalPerSecond(c.SMSPerSecond) != 45 {
		t.Fatalf("three numbers, one with its own rate: %+v %v", c.SendFleet, err)
	}
	c, err = config.FromEnv(env(with(map[string]string{"TWILIO_MESSAGING_SERVICE_SID": "MG0123456789abcdef0123456789abcdef",
		"CAREPATH_MESSAGING_SERVICE_NUMBERS": "4", "CAREPATH_SEND_LIMITER": "process"})))
	if err != nil || c.SendFleet.TotalPerSecond(c.SMSPerSecond) != 80 || c.SendFleet.Limiter != config.LimiterProcess || !c.SendFleet.LimiterSet {
		t.Fatalf("a Messaging Service of four numbers: %+v %v", c.SendFleet, err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{with(map[string]string{"TWILIO_FROM_NUMBERS": "5550001001"}), "TWILIO_FROM_NUMBERS"},
		{with(map[string]string{"TWILIO_FROM_NUMBERS": "+15550001000"}), "TWILIO_FROM_NUMBERS"},
		{with(map[string]string{"TWILIO_FROM_NUMBERS": "+15550001001=0"}), "TWILIO_FROM_NUMBERS"},
		{with(map[string]string{"TWILIO_MESSAGING_SERVICE_SID": "MG12"}), "TWILIO_MESSAGING_SERVICE_SID"},
		{with(map[string]string{"TWILIO_MESSAGING_SERVICE_SID": "MG0123456789abcdef0123456789abcdef",
			"TWILIO_FROM_NUMBERS": "+15550001001"}), "TWILIO_MESSAGING_SERVICE_SID"},
		{with(map[string]string{"CAREPATH_MESSAGING_SERVICE_NUMBERS": "0"}), "CAREPATH_MESSAGING_SERVICE_NUMBERS"},
		{with(map[string]string{"CAREPATH_SEND_LIMITER": "redis"}), "CAREPATH_SEND_LIMITER"},
		{map[string]string{"TWILIO_FROM_NUMBERS": "+15550001001"}, "TWILIO_FROM_NUMBERS"},
	} {
		if _, err := config.FromEnv(env(tc.env)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.env, err, tc.want)
		}
	}
}
