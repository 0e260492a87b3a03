package mqtt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// testCA makes a certificate authority and a server certificate for
// 127.0.0.1 signed by it, and returns the files: ca.pem, server.pem,
// server.key.
func testCA(t *testing.T) (caFile, certFile, keyFile string) {
	ca, cert, key, _, _ := testPKI(t)
	return ca, cert, key
}

// testPKI is testCA with a client certificate and key as well.
func testPKI(t *testing.T) (caFile, certFile, keyFile, clientCert, clientKey string) {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	// issue makes a key and a certificate for tmpl, signed by parent's key
	// (itself when parent is nil).
	issue := func(tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*ecdsa.PrivateKey, []byte) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl.NotBefore, tmpl.NotAfter = now.Add(-time.Hour), now.Add(24*time.Hour)
		if parent == nil {
			parent, parentKey = tmpl, key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		return key, der
	}
	caKey, caDER := issue(&x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ventd test CA"},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}, nil, nil)
	caCert, _ := x509.ParseCertificate(caDER)
	srvKey, srvDER := issue(&x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, caCert, caKey)
	cliKey, cliDER := issue(&x509.Certificate{SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "ventd-room-1"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, caCert, caKey)
	write := func(name, typ string, der []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	writeKey := func(name string, k *ecdsa.PrivateKey) string {
		der, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return write(name, "EC PRIVATE KEY", der)
	}
	return write("ca.pem", "CERTIFICATE", caDER), write("server.pem", "CERTIFICATE", srvDER), writeKey("server.key", srvKey),
		write("client.pem", "CERTIFICATE", cliDER), writeKey("client.key", cliKey)
}

// A broker that wants a client certificate takes ventd's, and refuses a
// connection without one.
func TestClientCertificate(t *testing.T) {
	caFile, certFile, keyFile, cliCert, cliKey := testPKI(t)
	b := mosquitto.Start(t, mosquitto.Options{CertFile: certFile, KeyFile: keyFile, ClientCAFile: caFile})
	run := func(withCert bool) Status {
		cfg := config.Sim()
		m := config.DefaultMQTT()
		m.Broker, m.CAFile, m.Discovery = b.URL, caFile, false
		if withCert {
			m.CertFile, m.KeyFile = cliCert, cliKey
		}
		cfg.MQTT = &m
		log := &testbench.LogBuffer{}
		p, err := New(Options{Config: cfg, Log: slog.New(slog.NewTextHandler(log, nil))})
		if err != nil {
			t.Fatal(err)
		}
		defer runPublisher(t, p)()
		deadline := time.Now().Add(wallWait)
		for time.Now().Before(deadline) {
			if st := p.Status(); st.Connected || st.LastError != "" {
				return st
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("neither connected nor refused:\n%s", log)
		return Status{}
	}
	if st := run(true); !st.Connected {
		t.Errorf("with the client certificate: %+v", st)
	}
	if st := run(false); st.Connected || st.LastError == "" {
		t.Errorf("without a client certificate: %+v", st)
	}
}

func TestTLSWithAPasswordAndAWrongOne(t *testing.T) {
	caFile, certFile, keyFile := testCA(t)
	const secret, wrong = "ventd-s3cret-pass", "not-the-Passw0rd-x"
	b := mosquitto.Start(t, mosquitto.Options{CertFile: certFile, KeyFile: keyFile,
		Passwords: map[string]string{"ventd": secret, "viewer": "viewer-pass"}})
	if !strings.HasPrefix(b.URL, "mqtts://") {
		t.Fatalf("broker URL %s", b.URL)
	}
	pwFile := filepath.Join(t.TempDir(), "mqtt-password")
	if err := os.WriteFile(pwFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startRoom(t, roomOpts{broker: b.URL, mqtt: func(m *config.MQTT) {
		m.CAFile, m.Username, m.PasswordFile = caFile, "ventd", pwFile
	}})
	r.runFor(10 * time.Second)
	r.waitStatus("connected over TLS", func(s Status) bool { return s.Connected })
	pool := x509.NewCertPool()
	ca, _ := os.ReadFile(caFile)
	pool.AppendCertsFromPEM(ca)
	viewer := clientOpts{tls: &tls.Config{RootCAs: pool}, user: "viewer", pass: "viewer-pass"}
	if got := retainedNow(t, b.URL, viewer, r.pub.Topics().Availability()); string(got[r.pub.Topics().Availability()]) != "online" {
		t.Errorf("availability over TLS: %q", got)
	}
	if strings.Contains(r.log.String(), secret) {
		t.Error("the password is in the log")
	}

	// The same room with a wrong password, from the environment this time.
	cfg := config.Sim()
	m := *r.cfg.MQTT
	m.PasswordFile, m.PasswordEnv, m.ClientID = "", "VENTD_TEST_MQTT_PASSWORD", "ventd-wrong"
	cfg.MQTT = &m
	log := &testbench.LogBuffer{}
	p, err := New(Options{Config: cfg, Log: slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Getenv: func(k string) string { return map[string]string{"VENTD_TEST_MQTT_PASSWORD": wrong}[k] }})
	if err != nil {
		t.Fatal(err)
	}
	stop := runPublisher(t, p)
	deadline := time.Now().Add(wallWait)
	for !strings.Contains(log.String(), "refused the login") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	out := log.String()
	if !strings.Contains(out, `refused the login of user \"ventd\" (password from environment variable VENTD_TEST_MQTT_PASSWORD)`) ||
		!strings.Contains(out, "not Authorized") && !strings.Contains(out, "bad user name or password") {
		t.Errorf("the refusal is not logged as such:\n%s", out)
	}
	if strings.Contains(out, wrong) || strings.Contains(out, secret) {
		t.Errorf("a password is in the log:\n%s", out)
	}
	if st := p.Status(); st.Connected || st.Connects != 0 {
		t.Errorf("connected with a wrong password: %+v", st)
	}
}

func TestPasswordAndTLSFilesAreCheckedAtStart(t *testing.T) {
	m := config.DefaultMQTT()
	m.Broker, m.Username = "mqtts://127.0.0.1:8883", "ventd"
	cfg := config.Sim()
	cfg.MQTT = &m
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, []byte("\nsecret-on-line-2\n"), 0o600)
	notPEM := filepath.Join(dir, "ca.pem")
	os.WriteFile(notPEM, []byte("secret-on-line-2"), 0o600)
	for _, tc := range []struct {
		name string
		set  func(m *config.MQTT)
		want string
	}{
		{"missing password file", func(m *config.MQTT) { m.PasswordFile = filepath.Join(dir, "none") }, "mqtt.password_file " + filepath.Join(dir, "none") + ": no such file"},
		{"empty first line", func(m *config.MQTT) { m.PasswordFile = empty }, "the first line is empty"},
		{"unset variable", func(m *config.MQTT) { m.PasswordEnv = "VENTD_UNSET_FOR_TEST" }, "VENTD_UNSET_FOR_TEST is empty or not set"},
		{"CA file not PEM", func(m *config.MQTT) { m.CAFile = notPEM }, "no PEM certificate"},
		{"no CA file", func(m *config.MQTT) { m.CAFile = filepath.Join(dir, "none.pem") }, "mqtt.ca_file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mm := m
			tc.set(&mm)
			c := *cfg
			c.MQTT = &mm
			_, err := New(Options{Config: &c, Getenv: func(string) string { return "" }})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "secret-on-line-2") {
				t.Errorf("New: %v; want an error containing %q and no file content", err, tc.want)
			}
		})
	}
}

// mqtt:// to a TLS listener (or mqtts:// to a plain one) is said as such:
// the broker only closes the connection, and the error alone reads
// "connection reset by peer" with a new port number each time.
func TestPlainURLToATLSBrokerIsSaid(t *testing.T) {
	_, certFile, keyFile := testCA(t)
	b := mosquitto.Start(t, mosquitto.Options{CertFile: certFile, KeyFile: keyFile})
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker, m.Discovery = "mqtt://"+b.Addr, false
	cfg.MQTT = &m
	log := &testbench.LogBuffer{}
	p, err := New(Options{Config: cfg, Log: slog.New(slog.NewTextHandler(log, nil)), ReconnectMin: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	stop := runPublisher(t, p)
	deadline := time.Now().Add(wallWait)
	for p.Status().LastError == "" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Second) // a few retries
	stop()
	if st := p.Status(); !strings.Contains(st.LastError, "mqtts://") {
		t.Errorf("plain MQTT to a TLS port: %q; want the hint to use mqtts://", st.LastError)
	}
	if n := strings.Count(log.String(), "cannot connect to the broker"); n != 1 {
		t.Errorf("%d warnings for the same trouble retried, want 1:\n%s", n, log)
	}
}
