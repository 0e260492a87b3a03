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
// maxIncoming that is not a message (PUBLISH): a broker sends none.
var errTooLarge = errors.New("packet too large")

// dropped is a message (PUBLISH) past maxIncoming that limitConn passed on
// to paho with its payload dropped unread.
type dropped struct {
	topic    string
	bytes    int // the payload's
	retained bool
}

// openConn dials the broker as paho does, and reads from it through a
// limit on the size of each packet. onDrop hears of each message whose
// payload was dropped, before paho reads what is left of it.
func openConn(onDrop func(dropped)) paho.OpenConnectionFunc {
	return func(uri *url.URL, o paho.ClientOptions) (net.Conn, error) {
		c, err := dial(uri, o)
		if err != nil {
			return nil, err
		}
		return &limitConn{Conn: c, max: maxIncoming, onDrop: onDrop}, nil
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
// keeps paho from allocating a body past max.
//
// A message (PUBLISH) past max is passed on with its payload dropped
// unread: its topic and packet id kept, its remaining length rewritten.
// Ending the connection instead, as ventd did, let anyone allowed to write
// homeassistant/status take ventd off the broker with one message, and
// keep it off with a retained one (it comes back at every connect, before
// even the alarm events go out). Passed on, paho acknowledges it as any
// other (QoS 1 and 2 need their PUBACK or PUBREC, which only paho, the
// connection's one writer, can send in turn), and ventd sees an empty
// message, which it takes for nothing on homeassistant/status and answers
// as too large on the command topic (see onDrop). The framing allows it:
// the topic and packet id come first, in at most 2+65535+2 bytes, and the
// payload is the rest of the packet. Any other packet past max is not
// something a broker sends: the connection ends.
type limitConn struct {
	net.Conn
	max    int
	onDrop func(dropped)

	buf     []byte // read from the connection
	obuf    []byte // what of it paho is to read
	out     []byte // in obuf: not yet handed to paho
	readErr error  // the connection's, after out
	err     error  // the limit's: the connection is ended

	hdr      []byte // the fixed header being read
	inLength bool   // reading its remaining length
	length   int
	shift    uint
	pass     int    // bytes of the current packet still to pass on
	drop     int    // bytes of a dropped payload still to come
	inVar    bool   // reading an oversized PUBLISH's topic and packet id
	varHdr   []byte // what of them came
	varLen   int    // their length, once the topic's length came (else 0)
}

func (c *limitConn) Read(p []byte) (int, error) {
	for len(c.out) == 0 && c.readErr == nil {
		if c.err != nil {
			return 0, c.err
		}
		if c.buf == nil {
			c.buf = make([]byte, 16<<10)
		}
		n, err := c.Conn.Read(c.buf)
		c.obuf = c.feed(c.buf[:n], c.obuf[:0])
		c.out, c.readErr = c.obuf, err
		if c.err != nil {
			c.Conn.Close()
			c.out = nil
			return 0, c.err
		}
	}
	if len(c.out) == 0 {
		return 0, c.readErr
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// feed checks the bytes in, appending what paho is to read to out.
func (c *limitConn) feed(in, out []byte) []byte {
	for i := 0; i < len(in); {
		switch {
		case c.pass > 0:
			k := min(c.pass, len(in)-i)
			out = append(out, in[i:i+k]...)
			c.pass -= k
			i += k
		case c.drop > 0:
			k := min(c.drop, len(in)-i)
			c.drop -= k
			i += k
		case c.inVar:
			c.varHdr = append(c.varHdr, in[i])
			i++
			if len(c.varHdr) == 2 {
				c.varLen = 2 + (int(c.varHdr[0])<<8 | int(c.varHdr[1]))
				if qos := c.hdr[0] >> 1 & 3; qos > 0 {
					c.varLen += 2 // the packet id
				}
				if c.varLen > c.length {
					c.err = errors.New("the broker sent a malformed message (a topic longer than the packet)")
					return out
				}
			}
			if c.varLen == 0 || len(c.varHdr) < c.varLen {
				continue
			}
			// The topic and packet id, then nothing: an empty message.
			c.inVar, c.drop = false, c.length-c.varLen
			out = append(out, c.hdr[0])
			out = appendLength(out, c.varLen)
			out = append(out, c.varHdr...)
			if c.onDrop != nil {
				tlen := int(c.varHdr[0])<<8 | int(c.varHdr[1])
				c.onDrop(dropped{topic: string(c.varHdr[2 : 2+tlen]), bytes: c.drop, retained: c.hdr[0]&1 != 0})
			}
		case !c.inLength: // the fixed header's first byte
			c.hdr = append(c.hdr[:0], in[i])
			c.inLength, c.length, c.shift = true, 0, 0
			i++
		default:
			b := in[i]
			i++
			c.hdr = append(c.hdr, b)
			c.length |= int(b&0x7f) << c.shift
			c.shift += 7
			switch {
			case b&0x80 != 0 && len(c.hdr) < 5:
				continue
			case b&0x80 != 0:
				c.err = errors.New("the broker sent a malformed packet (a remaining length of more than 4 bytes)")
				return out
			}
			c.inLength = false
			switch typ, qos := c.hdr[0]>>4, c.hdr[0]>>1&3; {
			case c.length <= c.max:
				out = append(out, c.hdr...)
				c.pass = c.length
			case typ == 3 && qos < 3: // PUBLISH
				c.inVar, c.varHdr, c.varLen = true, c.varHdr[:0], 0
			default:
				c.err = fmt.Errorf("%w: the broker sent a packet (type %d) of %d bytes, over the %d ventd takes, and not a message: see the broker's log", errTooLarge, typ, c.length, c.max)
				return out
			}
		}
	}
	return out
}

// appendLength appends n as an MQTT remaining length.
func appendLength(out []byte, n int) []byte {
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		out = append(out, b)
		if n == 0 {
			return out
		}
	}
}
