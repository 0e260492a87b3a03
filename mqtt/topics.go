package mqtt

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
)

// Topics names every topic of one room. Site and room become one topic
// level each (config.TopicLevel), so many rooms share a broker without
// colliding: ventd/example-ops/inhalation-room-1/state.
type Topics struct {
	// Base is <prefix>/<site>/<room>.
	Base string
	// DiscoveryPrefix is Home Assistant's, "homeassistant" by default.
	DiscoveryPrefix string
	// Node is the room's id in Home Assistant: discovery topics, unique
	// ids and the device identifier carry it.
	Node string
}

// NewTopics returns the topics of site and room under prefix.
func NewTopics(prefix, discoveryPrefix, site, room string) Topics {
	return Topics{
		Base:            prefix + "/" + config.TopicLevel(site) + "/" + config.TopicLevel(room),
		DiscoveryPrefix: discoveryPrefix,
		Node:            "ventd_" + idPart(site) + "_" + idPart(room),
	}
}

// Availability carries "online" (retained, on connect) and "offline" (the
// last will, and on a clean stop).
func (t Topics) Availability() string { return t.Base + "/availability" }

// State carries the room's state as /api/state shows it, retained.
func (t Topics) State() string { return t.Base + "/state" }

// Events carries every alarm transition, QoS 1, with its sequence number.
func (t Topics) Events() string { return t.Base + "/events" }

// Alarm carries the active alarm of rule, retained; an empty retained
// message clears it when the alarm ends. Rule ids have slashes, so alarms
// sit in a tree: <base>/alarm/staff/pm25/warning.
func (t Topics) Alarm(rule alarm.RuleID) string { return t.Base + "/alarm/" + string(rule) }

// Alarms is the filter of every alarm topic of the room.
func (t Topics) Alarms() string { return t.Base + "/alarm/#" }

// isAlarm reports whether topic is one of the room's alarm topics.
func (t Topics) isAlarm(topic string) bool { return strings.HasPrefix(topic, t.Base+"/alarm/") }

// Command takes commands (when enabled); Reply carries their answers.
func (t Topics) Command() string { return t.Base + "/command" }

// Reply carries the answer to every command.
func (t Topics) Reply() string { return t.Base + "/reply" }

// HAStatus is where Home Assistant announces "online" after its start.
func (t Topics) HAStatus() string { return t.DiscoveryPrefix + "/status" }

// Discovery is the config topic of one Home Assistant entity.
func (t Topics) Discovery(component, object string) string {
	return t.DiscoveryPrefix + "/" + component + "/" + t.Node + "/" + object + "/config"
}

// maxClientID is the longest client id every broker must accept: MQTT
// 3.1.1 obliges a server to allow 1 to 23 characters ([MQTT-3.1.3-5]) and
// lets it refuse longer ones; some do.
const maxClientID = 23

// ClientID is the default client id: ventd-<site>-<room>, or, when that is
// longer than every broker must accept, its first 14 characters and 8 hex
// digits of its hash, so two rooms whose names share a long start keep
// two ids (a shared id would have each throw the other off the broker).
func ClientID(site, room string) string {
	id := "ventd-" + strings.ReplaceAll(idPart(site), "_", "-") + "-" + strings.ReplaceAll(idPart(room), "_", "-")
	if len(id) <= maxClientID {
		return id
	}
	sum := sha256.Sum256([]byte(id))
	return id[:maxClientID-9] + "-" + hex.EncodeToString(sum[:4])
}

// idPart turns a name into the characters Home Assistant allows in ids
// ([a-z0-9_]). Letters outside ASCII cannot be kept; when any is lost a
// short hash of the name is added, so "Salle été" and "Salle ete" stay
// two rooms.
func idPart(name string) string {
	level := config.TopicLevel(name)
	var b strings.Builder
	lossy := false
	for _, r := range level {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '-' || r == '.':
			b.WriteByte('_')
		default:
			lossy = true
			b.WriteByte('_')
		}
	}
	if lossy {
		sum := sha256.Sum256([]byte(name))
		b.WriteString("_" + hex.EncodeToString(sum[:3]))
	}
	return b.String()
}

// objectID turns entity names (sensor, zone, fan names: letters, digits,
// '-', '_', '.') into a Home Assistant object id.
func objectID(parts ...string) string {
	var out []string
	for _, p := range parts {
		out = append(out, idPart(p))
	}
	return strings.Join(out, "_")
}
