package completion

import "strings"

// Action is one AMI action of the built-in catalogue.
type Action struct {
	// Name is the action name as Asterisk spells it (e.g. "CoreShowChannels").
	Name string
	// List reports whether the action answers with an event list (a
	// response, then item events, then a completion event), i.e. whether it
	// is a good argument for `ami list`.
	List bool
	// Module is the Asterisk module that registers the action.
	Module string
	// Removed is the Asterisk major version that removed the module ("21"),
	// or "" when Asterisk 22 still ships it. Removed actions stay in the
	// catalogue because older servers are still common; the zsh and fish
	// scripts show Note beside them.
	Removed string
}

// Note is what a completion script shows beside the action's name: "" for
// an action of Asterisk 22, else when and with which module it went
// ("removed in Asterisk 21 (chan_sip)").
func (a Action) Note() string {
	if a.Removed == "" {
		return ""
	}
	return "removed in Asterisk " + a.Removed + " (" + a.Module + ")"
}

// catalogue is the Asterisk 22 action set, plus the actions of chan_sip,
// chan_skinny and res_monitor, which Asterisk 21 removed, ordered by name
// (app_meetme is deprecated but still in 22). It is a constant table;
// Actions returns a copy.
var catalogue = [...]Action{
	{"AbsoluteTimeout", false, "manager", ""},
	{"AgentLogoff", false, "app_agent_pool", ""},
	{"Agents", true, "app_agent_pool", ""},
	{"AGI", false, "res_agi", ""},
	{"AOCMessage", false, "manager", ""},
	{"Atxfer", false, "manager", ""},
	{"BlindTransfer", false, "manager", ""},
	{"Bridge", false, "features", ""},
	{"BridgeDestroy", false, "manager_bridges", ""},
	{"BridgeInfo", true, "manager_bridges", ""},
	{"BridgeKick", false, "manager_bridges", ""},
	{"BridgeList", true, "manager_bridges", ""},
	{"BridgeTechnologyList", true, "manager_bridges", ""},
	{"BridgeTechnologySuspend", false, "manager_bridges", ""},
	{"BridgeTechnologyUnsuspend", false, "manager_bridges", ""},
	{"CancelAtxfer", false, "manager", ""},
	{"Challenge", false, "manager", ""},
	{"ChangeMonitor", false, "res_monitor", "21"},
	{"Command", false, "manager", ""},
	{"ConfbridgeKick", false, "app_confbridge", ""},
	{"ConfbridgeList", true, "app_confbridge", ""},
	{"ConfbridgeListRooms", true, "app_confbridge", ""},
	{"ConfbridgeLock", false, "app_confbridge", ""},
	{"ConfbridgeMute", false, "app_confbridge", ""},
	{"ConfbridgeSetSingleVideoSrc", false, "app_confbridge", ""},
	{"ConfbridgeStartRecord", false, "app_confbridge", ""},
	{"ConfbridgeStopRecord", false, "app_confbridge", ""},
	{"ConfbridgeUnlock", false, "app_confbridge", ""},
	{"ConfbridgeUnmute", false, "app_confbridge", ""},
	{"ControlPlayback", false, "app_controlplayback", ""},
	{"CoreSettings", false, "manager", ""},
	{"CoreShowChannelMap", true, "manager", ""},
	{"CoreShowChannels", true, "manager", ""},
	{"CoreStatus", false, "manager", ""},
	{"CreateConfig", false, "manager", ""},
	{"DAHDIDialOffhook", false, "chan_dahdi", ""},
	{"DAHDIDNDoff", false, "chan_dahdi", ""},
	{"DAHDIDNDon", false, "chan_dahdi", ""},
	{"DAHDIHangup", false, "chan_dahdi", ""},
	{"DAHDIRestart", false, "chan_dahdi", ""},
	{"DAHDIShowChannels", true, "chan_dahdi", ""},
	{"DAHDIShowStatus", true, "chan_dahdi", ""},
	{"DAHDITransfer", false, "chan_dahdi", ""},
	{"DBDel", false, "manager", ""},
	{"DBDelTree", false, "manager", ""},
	{"DBGet", true, "manager", ""},
	{"DBGetTree", true, "manager", ""},
	{"DBPut", false, "manager", ""},
	{"DeviceStateList", true, "res_manager_devicestate", ""},
	{"DialplanExtensionAdd", false, "pbx_config", ""},
	{"DialplanExtensionRemove", false, "pbx_config", ""},
	{"Events", false, "manager", ""},
	{"ExtensionState", false, "manager", ""},
	{"ExtensionStateList", true, "manager", ""},
	{"FAXSession", true, "res_fax", ""},
	{"FAXSessions", true, "res_fax", ""},
	{"FAXStats", false, "res_fax", ""},
	{"Filter", false, "manager", ""},
	{"GetConfig", false, "manager", ""},
	{"GetConfigJSON", false, "manager", ""},
	{"Getvar", false, "manager", ""},
	{"Hangup", false, "manager", ""},
	{"IAXnetstats", false, "chan_iax2", ""},
	{"IAXpeerlist", true, "chan_iax2", ""},
	{"IAXpeers", false, "chan_iax2", ""},
	{"IAXregistry", true, "chan_iax2", ""},
	{"JabberSend", false, "res_xmpp", ""},
	{"ListCategories", false, "manager", ""},
	{"ListCommands", false, "manager", ""},
	{"LocalOptimizeAway", false, "core_local", ""},
	{"LoggerRotate", false, "manager", ""},
	{"Login", false, "manager", ""},
	{"Logoff", false, "manager", ""},
	{"MailboxCount", false, "manager", ""},
	{"MailboxStatus", false, "manager", ""},
	{"MeetmeList", true, "app_meetme", ""},
	{"MeetmeListRooms", true, "app_meetme", ""},
	{"MeetmeMute", false, "app_meetme", ""},
	{"MeetmeUnmute", false, "app_meetme", ""},
	{"MessageSend", false, "message", ""},
	{"MixMonitor", false, "app_mixmonitor", ""},
	{"MixMonitorMute", false, "app_mixmonitor", ""},
	{"ModuleCheck", false, "manager", ""},
	{"ModuleLoad", false, "manager", ""},
	{"Monitor", false, "res_monitor", "21"},
	{"MuteAudio", false, "res_mutestream", ""},
	{"MWIDelete", false, "res_mwi_external_ami", ""},
	{"MWIGet", true, "res_mwi_external_ami", ""},
	{"MWIUpdate", false, "res_mwi_external_ami", ""},
	{"Originate", false, "manager", ""},
	{"Park", false, "res_parking", ""},
	{"ParkedCalls", true, "res_parking", ""},
	{"Parkinglots", true, "res_parking", ""},
	{"PauseMonitor", false, "res_monitor", "21"},
	{"Ping", false, "manager", ""},
	{"PJSIPHangup", false, "chan_pjsip", ""},
	{"PJSIPNotify", false, "res_pjsip_notify", ""},
	{"PJSIPQualify", false, "res_pjsip", ""},
	{"PJSIPRegister", false, "res_pjsip_outbound_registration", ""},
	{"PJSIPShowAors", true, "res_pjsip", ""},
	{"PJSIPShowAuths", true, "res_pjsip", ""},
	{"PJSIPShowContacts", true, "res_pjsip", ""},
	{"PJSIPShowEndpoint", true, "res_pjsip", ""},
	{"PJSIPShowEndpoints", true, "res_pjsip", ""},
	{"PJSIPShowRegistrationInboundContactStatuses", true, "res_pjsip_registrar", ""},
	{"PJSIPShowRegistrationsInbound", true, "res_pjsip_registrar", ""},
	{"PJSIPShowRegistrationsOutbound", true, "res_pjsip_outbound_registration", ""},
	{"PJSIPShowResourceLists", true, "res_pjsip_pubsub", ""},
	{"PJSIPShowSubscriptionsInbound", true, "res_pjsip_pubsub", ""},
	{"PJSIPShowSubscriptionsOutbound", true, "res_pjsip_pubsub", ""},
	{"PJSIPUnregister", false, "res_pjsip_outbound_registration", ""},
	{"PlayDTMF", false, "app_senddtmf", ""},
	{"PlayMF", false, "app_sendmf", ""},
	{"PresenceState", false, "manager", ""},
	{"PresenceStateList", true, "res_manager_presencestate", ""},
	{"PRIDebugFileSet", false, "chan_dahdi", ""},
	{"PRIDebugFileUnset", false, "chan_dahdi", ""},
	{"PRIDebugSet", false, "chan_dahdi", ""},
	{"PRIShowSpans", true, "chan_dahdi", ""},
	{"QueueAdd", false, "app_queue", ""},
	{"QueueChangePriorityCaller", false, "app_queue", ""},
	{"QueueLog", false, "app_queue", ""},
	{"QueueMemberRingInUse", false, "app_queue", ""},
	{"QueuePause", false, "app_queue", ""},
	{"QueuePenalty", false, "app_queue", ""},
	{"QueueReload", false, "app_queue", ""},
	{"QueueRemove", false, "app_queue", ""},
	{"QueueReset", false, "app_queue", ""},
	{"QueueRule", false, "app_queue", ""},
	{"Queues", false, "app_queue", ""},
	{"QueueStatus", true, "app_queue", ""},
	{"QueueSummary", true, "app_queue", ""},
	{"QueueWithdrawCaller", false, "app_queue", ""},
	{"Redirect", false, "manager", ""},
	{"Reload", false, "manager", ""},
	{"SendFlash", false, "app_flash", ""},
	{"SendText", false, "manager", ""},
	{"Setvar", false, "manager", ""},
	{"ShowDialPlan", true, "pbx", ""},
	{"SIPnotify", false, "chan_sip", "21"},
	{"SIPpeers", true, "chan_sip", "21"},
	{"SIPpeerstatus", true, "chan_sip", "21"},
	{"SIPqualifypeer", false, "chan_sip", "21"},
	{"SIPshowpeer", false, "chan_sip", "21"},
	{"SIPshowregistry", true, "chan_sip", "21"},
	{"SKINNYdevices", true, "chan_skinny", "21"},
	{"SKINNYlines", true, "chan_skinny", "21"},
	{"SKINNYshowdevice", false, "chan_skinny", "21"},
	{"SKINNYshowline", false, "chan_skinny", "21"},
	{"SorceryMemoryCacheExpire", false, "res_sorcery_memory_cache", ""},
	{"SorceryMemoryCacheExpireObject", false, "res_sorcery_memory_cache", ""},
	{"SorceryMemoryCachePopulate", false, "res_sorcery_memory_cache", ""},
	{"SorceryMemoryCacheStale", false, "res_sorcery_memory_cache", ""},
	{"SorceryMemoryCacheStaleObject", false, "res_sorcery_memory_cache", ""},
	{"Status", true, "manager", ""},
	{"StopMixMonitor", false, "app_mixmonitor", ""},
	{"StopMonitor", false, "res_monitor", "21"},
	{"UnpauseMonitor", false, "res_monitor", "21"},
	{"UpdateConfig", false, "manager", ""},
	{"UserEvent", false, "manager", ""},
	{"VoicemailBoxSummary", true, "app_voicemail", ""},
	{"VoicemailRefresh", false, "app_voicemail", ""},
	{"VoicemailUsersList", true, "app_voicemail", ""},
	{"VoicemailUserStatus", false, "app_voicemail", ""},
	{"WaitEvent", false, "manager", ""},
}

// events is the Asterisk 22 event set (asynchronous events and the items and
// completion events of lists), ordered by name.
var events = [...]string{
	"AgentCalled", "AgentComplete", "AgentConnect", "AgentDump", "AgentLogin",
	"AgentLogoff", "AgentRingNoAnswer", "Agents", "AgentsComplete",
	"AGIExecEnd", "AGIExecStart", "Alarm", "AlarmClear", "AOC-D", "AOC-E",
	"AOC-S", "AorDetail", "AorList", "AorListComplete", "AsyncAGIEnd",
	"AsyncAGIExec", "AsyncAGIStart", "AttendedTransfer", "AuthDetail",
	"AuthList", "AuthListComplete", "AuthMethodNotAllowed", "BlindTransfer",
	"BridgeCreate", "BridgeDestroy", "BridgeEnter", "BridgeInfoChannel",
	"BridgeInfoComplete", "BridgeLeave", "BridgeListComplete",
	"BridgeListItem", "BridgeMerge", "BridgeTechnologyListComplete",
	"BridgeTechnologyListItem", "BridgeVideoSourceUpdate", "Cdr", "CEL",
	"ChallengeResponseFailed", "ChallengeSent", "ChannelTalkingStart",
	"ChannelTalkingStop", "ChanSpyStart", "ChanSpyStop", "ConfbridgeEnd",
	"ConfbridgeJoin", "ConfbridgeLeave", "ConfbridgeList",
	"ConfbridgeListComplete", "ConfbridgeListRooms",
	"ConfbridgeListRoomsComplete", "ConfbridgeMute", "ConfbridgeRecord",
	"ConfbridgeStart", "ConfbridgeStopRecord", "ConfbridgeTalking",
	"ConfbridgeUnmute", "ContactList", "ContactListComplete", "ContactStatus",
	"ContactStatusDetail", "CoreShowChannel", "CoreShowChannelMap",
	"CoreShowChannelMapComplete", "CoreShowChannelsComplete", "DAHDIChannel",
	"DAHDIShowChannels", "DAHDIShowChannelsComplete", "DBGetComplete",
	"DBGetResponse", "DBGetTreeComplete", "DBGetTreeResponse",
	"DeviceStateChange", "DeviceStateListComplete", "DialBegin", "DialEnd",
	"DialState", "DNDState", "DTMFBegin", "DTMFEnd", "EndpointDetail",
	"EndpointDetailComplete", "EndpointList", "EndpointListComplete",
	"ExtensionStateListComplete", "ExtensionStatus", "FailedACL",
	"FAXSession", "FAXSessionsComplete", "FAXSessionsEntry", "FAXStats",
	"FAXStatus", "Flash", "FullyBooted", "Hangup", "HangupHandlerPop",
	"HangupHandlerPush", "HangupHandlerRun", "HangupRequest", "Hold",
	"IdentifyDetail", "InboundRegistrationDetail",
	"InboundSubscriptionDetail", "InvalidAccountID", "InvalidPassword",
	"InvalidTransport", "ListDialplan", "Load", "LoadAverageLimit",
	"LocalBridge", "LocalOptimizationBegin", "LocalOptimizationEnd",
	"LogChannel", "MCID", "MemoryLimit", "MessageWaiting", "MiniVoiceMail",
	"MixMonitorMute", "MixMonitorStart", "MixMonitorStop",
	"MusicOnHoldStart", "MusicOnHoldStop", "MWIGet", "MWIGetComplete",
	"NewAccountCode", "NewCallerid", "Newchannel", "NewConnectedLine",
	"Newexten", "Newstate", "OriginateResponse", "OutboundRegistrationDetail",
	"OutboundSubscriptionDetail", "ParkedCall", "ParkedCallGiveUp",
	"ParkedCallsComplete", "ParkedCallSwap", "ParkedCallTimeOut",
	"Parkinglot", "ParkinglotsComplete", "PeerStatus", "Pickup",
	"PresenceStateChange", "PresenceStateListComplete", "PresenceStatus",
	"QueueCallerAbandon", "QueueCallerJoin", "QueueCallerLeave",
	"QueueEntry", "QueueMember", "QueueMemberAdded", "QueueMemberPause",
	"QueueMemberPenalty", "QueueMemberRemoved", "QueueMemberRinginuse",
	"QueueMemberStatus", "QueueParams", "QueueStatusComplete",
	"QueueSummary", "QueueSummaryComplete", "ReceiveFAX", "Registry",
	"Reload", "Rename", "RequestBadFormat", "RequestNotAllowed",
	"RequestNotSupported", "RTCPReceived", "RTCPSent", "SendFAX",
	"SessionLimit", "SessionTimeout", "ShowDialPlanComplete", "Shutdown",
	"SoftHangupRequest", "SpanAlarm", "SpanAlarmClear", "Status",
	"StatusComplete", "SuccessfulAuth", "TransportDetail",
	"UnexpectedAddress", "Unhold", "Unload", "UnParkedCall", "UserEvent",
	"VarSet", "VoicemailPasswordChange", "VoicemailUserEntry",
	"VoicemailUserEntryComplete", "Wink",
}

// Actions returns the catalogue of AMI actions, ordered by name
// (case-insensitively). The slice is a fresh copy.
func Actions() []Action {
	out := make([]Action, len(catalogue))
	copy(out, catalogue[:])
	return out
}

// ActionNames returns the names of the catalogued actions; with listOnly,
// only those that answer with an event list.
func ActionNames(listOnly bool) []string {
	out := make([]string, 0, len(catalogue))
	for _, a := range catalogue {
		if !listOnly || a.List {
			out = append(out, a.Name)
		}
	}
	return out
}

// Events returns the catalogued Asterisk 22 event names, ordered by name
// (case-insensitively). The slice is a fresh copy.
func Events() []string {
	out := make([]string, len(events))
	copy(out, events[:])
	return out
}

// classes is manager.h's table of the classes Asterisk sorts events and
// permissions into, with their bits; "all" stands for every bit and is
// not a class of its own.
var classes = [...]struct {
	name string
	bit  uint32
}{
	{"system", 1 << 0}, {"call", 1 << 1}, {"log", 1 << 2}, {"verbose", 1 << 3},
	{"command", 1 << 4}, {"agent", 1 << 5}, {"user", 1 << 6}, {"config", 1 << 7},
	{"dtmf", 1 << 8}, {"reporting", 1 << 9}, {"cdr", 1 << 10}, {"dialplan", 1 << 11},
	{"originate", 1 << 12}, {"agi", 1 << 13}, {"hookresponse", 1 << 14}, {"cc", 1 << 15},
	{"aoc", 1 << 16}, {"test", 1 << 17}, {"security", 1 << 18}, {"message", 1 << 30},
}

// Classes returns the event class names of Asterisk 22's manager.h in bit
// order, then "all". They are the valid words of a login `Events:` header,
// an `Action: Events` EventMask, an event's Privilege header and
// manager.conf's read and write lists. The slice is a fresh copy.
func Classes() []string {
	out := make([]string, 0, len(classes)+1)
	for _, c := range classes {
		out = append(out, c.name)
	}
	return append(out, "all")
}

// ClassBit returns the bit of the class named name (compared
// case-insensitively) in Asterisk's class masks, or 0 when it is not a
// class ("all" is every bit, not a class of its own).
func ClassBit(name string) uint32 {
	for _, c := range classes {
		if strings.EqualFold(c.name, name) {
			return c.bit
		}
	}
	return 0
}

// IsClass reports whether name (compared case-insensitively) is an event
// class of manager.h or "all".
func IsClass(name string) bool {
	for _, c := range Classes() {
		if strings.EqualFold(c, name) {
			return true
		}
	}
	return false
}
