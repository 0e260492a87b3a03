package pihost

import (
	"errors"
	"strings"
	"testing"
)

func TestBusErrorSaysWhatToDo(t *testing.T) {
	// No machine running the tests has /dev/i2c-42.
	err := busError("42", errors.New("sysfs-i2c: open /dev/i2c-42: no such file or directory"))
	for _, want := range []string{`I2C bus "42"`, "/dev/i2c-42 does not exist", "dtparam=i2c_arm=on", "reboot"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	err = busError("/dev/i2c-43", errors.New("x"))
	if !strings.Contains(err.Error(), "/dev/i2c-43 does not exist") {
		t.Errorf("device path form: %v", err)
	}
}
