package mqtt

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ventd/ventd/config"
)

// tlsConfig builds the TLS settings for a TLS broker: the CA file's
// certificates (else the system's) and the client certificate, when
// given. It returns nil for a plain broker.
func tlsConfig(m *config.MQTT) (*tls.Config, error) {
	if !config.BrokerTLS(m.Broker) {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12}
	if m.CAFile != "" {
		pem, err := os.ReadFile(m.CAFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt.ca_file: %w", err)
		}
		c.RootCAs = x509.NewCertPool()
		if !c.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt.ca_file %s: no PEM certificate in it (a file starting -----BEGIN CERTIFICATE-----)", m.CAFile)
		}
	}
	if m.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(m.CertFile, m.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt.cert_file and key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// password reads the broker password from the file or the environment
// variable the config names; "" when it names neither. The password is
// never put in an error or a log line: errors name its source only.
func password(m *config.MQTT, getenv func(string) string) (string, error) {
	switch {
	case m.PasswordFile != "":
		b, err := os.ReadFile(m.PasswordFile)
		if err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is said below; the content never is
			}
			return "", fmt.Errorf("mqtt.password_file %s: %w (the file holds the broker password on its first line; readable by the ventd user only)", m.PasswordFile, err)
		}
		pw, _, _ := strings.Cut(string(b), "\n")
		pw = strings.TrimSuffix(pw, "\r")
		if pw == "" {
			return "", fmt.Errorf("mqtt.password_file %s: the first line is empty: put the broker password there", m.PasswordFile)
		}
		return pw, nil
	case m.PasswordEnv != "":
		pw := getenv(m.PasswordEnv)
		if pw == "" {
			return "", fmt.Errorf("mqtt.password_env: the environment variable %s is empty or not set (systemd: Environment= or EnvironmentFile= in the unit)", m.PasswordEnv)
		}
		return pw, nil
	}
	return "", nil
}

// passwordSource says where the password came from, for log lines.
func passwordSource(m *config.MQTT) string {
	switch {
	case m.PasswordFile != "":
		return "file " + m.PasswordFile
	case m.PasswordEnv != "":
		return "environment variable " + m.PasswordEnv
	}
	return "none"
}
