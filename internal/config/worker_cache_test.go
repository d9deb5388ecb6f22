package config_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

func TestStickyCacheSize(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil || c.StickyCacheSize != config.DefaultStickyCacheSize {
		t.Fatalf("default: %d %v", c.StickyCacheSize, err)
	}
	for in, want := range map[string]int{"0": 0, "20000": 20000} {
		c, err := config.FromEnv(env(map[string]string{"CAREPATH_STICKY_CACHE_SIZE": in}))
		if err != nil || c.StickyCacheSize != want {
			t.Errorf("%s: %d %v", in, c.StickyCacheSize, err)
		}
	}
	for _, in := range []string{"-1", "lots", "1000001", "4k"} {
		_, err := config.FromEnv(env(map[string]string{"CAREPATH_STICKY_CACHE_SIZE": in}))
		if err == nil || !strings.Contains(err.Error(), "CAREPATH_STICKY_CACHE_SIZE:") {
			t.Errorf("%s: error does not name the variable: %v", in, err)
		}
	}
}
