package mqtt

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"

	paho "github.com/eclipse/paho.mqtt.golang"
	"golang.org/x/net/proxy"
)

// maxIncoming bounds a packet ventd takes from the broker. What it
// subscribes to is Home Assistant's birth message ("online") and, when
// enabled, commands of at most 1 KB; anyone allowed to write those topics
// could otherwise send a message as large as the broker takes (256 MB in
// mosquitto by default), which paho reads whole into memory.
const maxIncoming = 64 << 10

// errTooLarge is the cause of a connection ended for a packet past
// maxIncoming.
var errTooLarge = errors.New("message too large")

// openConn dials the broker as paho does, and reads from it through a
// limit on the size of each packet. topics names what ventd subscribes
// to, for the error.
func openConn(topics []string) paho.OpenConnectionFunc {
	return func(uri *url.URL, o paho.ClientOptions) (net.Conn, error) {
		c, err := dial(uri, o)
		if err != nil {
			return nil, err
		}
		return &limitConn{Conn: c, max: maxIncoming, topics: topics}, nil
	}
}

// dial is paho's own opening of a connection (netconn.go) for the schemes
// config.CheckBroker takes.
func dial(uri *url.URL, o paho.ClientOptions) (net.Conn, error) {
	dialer := o.Dialer
	if dialer == nil {
		dialer = &net.Dialer{Timeout: o.ConnectTimeout}
	}
	switch uri.Scheme {
	case "ws", "wss":
		u := *uri
		u.User = nil
		var tlsc *tls.Config
		if uri.Scheme == "wss" {
			tlsc = o.TLSConfig
		}
		return paho.NewWebsocket(u.String(), tlsc, o.ConnectTimeout, o.HTTPHeaders, o.WebsocketOptions)
	case "mqtt", "tcp":
		return proxy.FromEnvironmentUsing(dialer).Dial("tcp", uri.Host)
	case "ssl", "tls", "mqtts":
		if os.Getenv("all_proxy") == "" {
			return tls.DialWithDialer(dialer, "tcp", uri.Host, o.TLSConfig)
		}
		c, err := proxy.FromEnvironment().Dial("tcp", uri.Host)
		if err != nil {
			return nil, err
		}
		tc := tls.Client(c, o.TLSConfig)
		if err := tc.Handshake(); err != nil {
			c.Close()
			return nil, err
		}
		return tc, nil
	}
	return nil, fmt.Errorf("broker %s: unknown scheme %q: use mqtt://, mqtts://, ws:// or wss://", uri.Redacted(), uri.Scheme)
}

// limitConn follows the MQTT packets read through it (a fixed header
// byte, a remaining length of 1 to 4 bytes, then that many bytes) and
// ends the connection at a header announcing more than max, before paho
// allocates the body.
type limitConn struct {
	net.Conn
	max    int
	topics []string

	skip     int  // bytes of the current packet's body still to come
	inLength bool // reading the remaining length
	length   int
	shift    uint
	nLength  int
	err      error
}

func (c *limitConn) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.Conn.Read(p)
	for i := 0; i < n; {
		switch {
		case c.skip > 0:
			k := min(c.skip, n-i)
			c.skip -= k
			i += k
		case !c.inLength: // the fixed header's first byte
			c.inLength, c.length, c.shift, c.nLength = true, 0, 0, 0
			i++
		default:
			b := p[i]
			i++
			c.length |= int(b&0x7f) << c.shift
			c.shift += 7
			c.nLength++
			switch {
			case b&0x80 != 0 && c.nLength < 4:
				continue
			case b&0x80 != 0:
				c.err = errors.New("the broker sent a malformed packet (a remaining length of more than 4 bytes)")
			case c.length > c.max:
				c.err = fmt.Errorf("%w: the broker sent a message of %d bytes, over the %d ventd takes: a client published it to a topic ventd subscribes to (%v); "+
					"if it is retained, clear it (mosquitto_pub -r -n -t TOPIC), and set the broker's message_size_limit", errTooLarge, c.length, c.max, c.topics)
			default:
				c.inLength, c.skip = false, c.length
				continue
			}
			c.Conn.Close()
			return 0, c.err
		}
	}
	return n, err
}
