package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// MQTTStatus is how the MQTT publisher stands: what a facilities manager's
// alert needs to notice that the pager's path is down.
type MQTTStatus struct {
	Connected bool
	Connects  int
	// Waiting counts alarm events not yet acknowledged by the broker;
	// Delivered is the sequence number up to which every one was.
	Waiting   int
	Delivered uint64
	// Confirmed: ventd's own messages come back from the broker (it
	// reads its availability, state and events back), so the broker
	// passes them on; Unconfirmed counts the ones that did not. A broker
	// with MQTT 3.1.1 acknowledges a message its ACL or size limit makes
	// it drop, so Connected and Waiting look healthy meanwhile.
	Confirmed   bool
	Unconfirmed int
	// Unchecked: the delivery check is off (mqtt.confirm_delivery:
	// false); the confirmed gauge is left out rather than read as 0, so
	// its alert does not fire for good at a site that chose it.
	Unchecked bool
}

// mqttCollector reads the publisher's status at each scrape: it is not in
// the record (the publisher is one of the record's outputs).
type mqttCollector struct {
	status                                  func() MQTTStatus
	connected, connects, waiting, delivered *prometheus.Desc
	confirmed, unconfirmed                  *prometheus.Desc
}

// RegisterMQTT adds the MQTT publisher's figures to reg; status is called
// at each scrape and must not block.
func RegisterMQTT(reg prometheus.Registerer, room Room, status func() MQTTStatus) error {
	n := newNamer(room.Site, room.Room)
	return reg.Register(&mqttCollector{status: status,
		connected:   n.desc("mqtt_connected", "1 while ventd is connected to its MQTT broker; alarms reach the facilities managers' subscribers only then."),
		connects:    n.desc("mqtt_connections_total", "Connections made to the MQTT broker since ventd started (more than one: the link dropped)."),
		waiting:     n.desc("mqtt_events_waiting", "Alarm events not yet acknowledged by the MQTT broker (kept in the journal until they are)."),
		delivered:   n.desc("mqtt_delivered_sequence", "Sequence number of the alarm events up to which every one reached the MQTT broker."),
		confirmed:   n.desc("mqtt_delivery_confirmed", "1 while ventd's own messages (availability, state, alarm events) come back from the MQTT broker, so it passes them on; 0 when one did not (the broker's ACL or message_size_limit drops them, or does not let ventd read them back), or while disconnected."),
		unconfirmed: n.desc("mqtt_unconfirmed_total", "Messages ventd published on its availability, state and events topics that did not come back from the MQTT broker."),
	})
}

func (c *mqttCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.connected, c.connects, c.waiting, c.delivered, c.confirmed, c.unconfirmed} {
		ch <- d
	}
}

func (c *mqttCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.status()
	gauge(ch, c.connected, boolFloat(s.Connected))
	counter(ch, c.connects, float64(s.Connects))
	gauge(ch, c.waiting, float64(s.Waiting))
	gauge(ch, c.delivered, float64(s.Delivered))
	if !s.Unchecked {
		gauge(ch, c.confirmed, boolFloat(s.Confirmed))
	}
	counter(ch, c.unconfirmed, float64(s.Unconfirmed))
}
