# bash completion for ami                                        -*- shell-script -*-
#
# Generated from the ami command definitions and the built-in Asterisk 22
# catalogue by: go test ./cmd/ami -run TestCompletionScripts -update
# Do not edit by hand.
#
# Install: copy to /usr/share/bash-completion/completions/ami, or put
# source <(ami completion bash) in ~/.bashrc.

_ami_commands='send list command listen originate calls trace login-check check doctor mock
completion help'
_ami_actions='AbsoluteTimeout AgentLogoff Agents AGI AOCMessage Atxfer BlindTransfer
Bridge BridgeDestroy BridgeInfo BridgeKick BridgeList BridgeTechnologyList
BridgeTechnologySuspend BridgeTechnologyUnsuspend CancelAtxfer Challenge
ChangeMonitor Command ConfbridgeKick ConfbridgeList ConfbridgeListRooms
ConfbridgeLock ConfbridgeMute ConfbridgeSetSingleVideoSrc
ConfbridgeStartRecord ConfbridgeStopRecord ConfbridgeUnlock ConfbridgeUnmute
ControlPlayback CoreSettings CoreShowChannelMap CoreShowChannels CoreStatus
CreateConfig DAHDIDialOffhook DAHDIDNDoff DAHDIDNDon DAHDIHangup
DAHDIRestart DAHDIShowChannels DAHDIShowStatus DAHDITransfer DBDel DBDelTree
DBGet DBGetTree DBPut DeviceStateList DialplanExtensionAdd
DialplanExtensionRemove Events ExtensionState ExtensionStateList FAXSession
FAXSessions FAXStats Filter GetConfig GetConfigJSON Getvar Hangup
IAXnetstats IAXpeerlist IAXpeers IAXregistry JabberSend ListCategories
ListCommands LocalOptimizeAway LoggerRotate Login Logoff MailboxCount
MailboxStatus MeetmeList MeetmeListRooms MeetmeMute MeetmeUnmute MessageSend
MixMonitor MixMonitorMute ModuleCheck ModuleLoad Monitor MuteAudio MWIDelete
MWIGet MWIUpdate Originate Park ParkedCalls Parkinglots PauseMonitor Ping
PJSIPHangup PJSIPNotify PJSIPQualify PJSIPRegister PJSIPShowAors
PJSIPShowAuths PJSIPShowContacts PJSIPShowEndpoint PJSIPShowEndpoints
PJSIPShowRegistrationInboundContactStatuses PJSIPShowRegistrationsInbound
PJSIPShowRegistrationsOutbound PJSIPShowResourceLists
PJSIPShowSubscriptionsInbound PJSIPShowSubscriptionsOutbound PJSIPUnregister
PlayDTMF PlayMF PresenceState PresenceStateList PRIDebugFileSet
PRIDebugFileUnset PRIDebugSet PRIShowSpans QueueAdd
QueueChangePriorityCaller QueueLog QueueMemberRingInUse QueuePause
QueuePenalty QueueReload QueueRemove QueueReset QueueRule Queues QueueStatus
QueueSummary QueueWithdrawCaller Redirect Reload SendFlash SendText Setvar
ShowDialPlan SIPnotify SIPpeers SIPpeerstatus SIPqualifypeer SIPshowpeer
SIPshowregistry SKINNYdevices SKINNYlines SKINNYshowdevice SKINNYshowline
SorceryMemoryCacheExpire SorceryMemoryCacheExpireObject
SorceryMemoryCachePopulate SorceryMemoryCacheStale
SorceryMemoryCacheStaleObject Status StopMixMonitor StopMonitor
UnpauseMonitor UpdateConfig UserEvent VoicemailBoxSummary VoicemailRefresh
VoicemailUsersList VoicemailUserStatus WaitEvent'
_ami_list_actions='Agents BridgeInfo BridgeList BridgeTechnologyList ConfbridgeList
ConfbridgeListRooms CoreShowChannelMap CoreShowChannels DAHDIShowChannels
DAHDIShowStatus DBGet DBGetTree DeviceStateList ExtensionStateList
FAXSession FAXSessions IAXpeerlist IAXregistry MeetmeList MeetmeListRooms
MWIGet ParkedCalls Parkinglots PJSIPShowAors PJSIPShowAuths
PJSIPShowContacts PJSIPShowEndpoint PJSIPShowEndpoints
PJSIPShowRegistrationInboundContactStatuses PJSIPShowRegistrationsInbound
PJSIPShowRegistrationsOutbound PJSIPShowResourceLists
PJSIPShowSubscriptionsInbound PJSIPShowSubscriptionsOutbound
PresenceStateList PRIShowSpans QueueStatus QueueSummary ShowDialPlan
SIPpeers SIPpeerstatus SIPshowregistry SKINNYdevices SKINNYlines Status
VoicemailBoxSummary VoicemailUsersList'
_ami_events='AgentCalled AgentComplete AgentConnect AgentDump AgentLogin AgentLogoff
AgentRingNoAnswer Agents AgentsComplete AGIExecEnd AGIExecStart Alarm
AlarmClear AOC-D AOC-E AOC-S AorDetail AorList AorListComplete AsyncAGIEnd
AsyncAGIExec AsyncAGIStart AttendedTransfer AuthDetail AuthList
AuthListComplete AuthMethodNotAllowed BlindTransfer BridgeCreate
BridgeDestroy BridgeEnter BridgeInfoChannel BridgeInfoComplete BridgeLeave
BridgeListComplete BridgeListItem BridgeMerge BridgeTechnologyListComplete
BridgeTechnologyListItem BridgeVideoSourceUpdate Cdr CEL
ChallengeResponseFailed ChallengeSent ChannelTalkingStart ChannelTalkingStop
ChanSpyStart ChanSpyStop ConfbridgeEnd ConfbridgeJoin ConfbridgeLeave
ConfbridgeList ConfbridgeListComplete ConfbridgeListRooms
ConfbridgeListRoomsComplete ConfbridgeMute ConfbridgeRecord ConfbridgeStart
ConfbridgeStopRecord ConfbridgeTalking ConfbridgeUnmute ContactList
ContactListComplete ContactStatus ContactStatusDetail CoreShowChannel
CoreShowChannelMap CoreShowChannelMapComplete CoreShowChannelsComplete
DAHDIChannel DAHDIShowChannels DAHDIShowChannelsComplete DBGetComplete
DBGetResponse DBGetTreeComplete DBGetTreeResponse DeviceStateChange
DeviceStateListComplete DialBegin DialEnd DialState DNDState DTMFBegin
DTMFEnd EndpointDetail EndpointDetailComplete EndpointList
EndpointListComplete ExtensionStateListComplete ExtensionStatus FailedACL
FAXSession FAXSessionsComplete FAXSessionsEntry FAXStats FAXStatus Flash
FullyBooted Hangup HangupHandlerPop HangupHandlerPush HangupHandlerRun
HangupRequest Hold IdentifyDetail InboundRegistrationDetail
InboundSubscriptionDetail InvalidAccountID InvalidPassword InvalidTransport
ListDialplan Load LoadAverageLimit LocalBridge LocalOptimizationBegin
LocalOptimizationEnd LogChannel MCID MemoryLimit MessageWaiting
MiniVoiceMail MixMonitorMute MixMonitorStart MixMonitorStop MusicOnHoldStart
MusicOnHoldStop MWIGet MWIGetComplete NewAccountCode NewCallerid Newchannel
NewConnectedLine Newexten Newstate OriginateResponse
OutboundRegistrationDetail OutboundSubscriptionDetail ParkedCall
ParkedCallGiveUp ParkedCallsComplete ParkedCallSwap ParkedCallTimeOut
Parkinglot ParkinglotsComplete PeerStatus Pickup PresenceStateChange
PresenceStateListComplete PresenceStatus QueueCallerAbandon QueueCallerJoin
QueueCallerLeave QueueEntry QueueMember QueueMemberAdded QueueMemberPause
QueueMemberPenalty QueueMemberRemoved QueueMemberRinginuse QueueMemberStatus
QueueParams QueueStatusComplete QueueSummary QueueSummaryComplete ReceiveFAX
Registry Reload Rename RequestBadFormat RequestNotAllowed
RequestNotSupported RTCPReceived RTCPSent SendFAX SessionLimit
SessionTimeout ShowDialPlanComplete Shutdown SoftHangupRequest SpanAlarm
SpanAlarmClear Status StatusComplete SuccessfulAuth TransportDetail
UnexpectedAddress Unhold Unload UnParkedCall UserEvent VarSet
VoicemailPasswordChange VoicemailUserEntry VoicemailUserEntryComplete Wink'
_ami_classes='system call log verbose command agent user config dtmf reporting cdr
dialplan originate agi hookresponse cc aoc test security message all'

# _ami_value_flag FLAG: whether FLAG takes a value (in the next word).
_ami_value_flag() {
    case "$1" in
    --host|-H|--hosts-file|--parallel|--port|-p|--user|-u|--url|--secret|--secret-file|--profile|--tls-ca|--tls-server-name|--tls-fingerprint|--auth|--timeout|--output|-o|--color|--buffer|--fields|-f|--classes|--event|-e|--match|-m|--exclude|-x|--count|-n|--duration|-d|--overflow|--keepalive|--app|--data|--caller-id|--var|--ring-timeout|--account|--until|--where|--interval|--channel|--uniqueid|--from|--caller|--exten|--action|--warning|-w|--critical|-c|--cert-warning|--label|-l|--expect|--max|--need|--listen|--rate|--calls|--replay|--flood|--flood-calls|--flood-end) return 0 ;;
    esac
    return 1
}

# _ami_commalist WORDS CUR: complete the last item of a comma-separated list,
# leaving out the items already in it.
_ami_commalist() {
    local pre="" last="$2" w
    if [[ $2 == *,* ]]; then
        pre="${2%,*},"
        last="${2##*,}"
    fi
    COMPREPLY=()
    for w in $1; do
        if [[ ,$pre != *",$w,"* && $w == "$last"* ]]; then
            COMPREPLY+=("$pre$w")
        fi
    done
    compopt -o nospace 2>/dev/null
    return 0
}

# _ami_value CMD FLAG CUR: complete the value of FLAG of command CMD ("" before
# the command).
_ami_value() {
    case "$2" in
    --host|-H)
        COMPREPLY=($(compgen -A hostname -- "$3")) ;;
    --hosts-file)
        compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$3")) ;;
    --secret-file)
        compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$3")) ;;
    --profile)
        COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" completion profiles 2>/dev/null)" -- "$3")) ;;
    --tls-ca)
        compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$3")) ;;
    --auth)
        COMPREPLY=($(compgen -W 'plain md5' -- "$3")) ;;
    --output|-o)
        case "$1" in
        send|command|listen|originate) COMPREPLY=($(compgen -W 'text json raw' -- "$3")) ;;
        list) COMPREPLY=($(compgen -W 'text json raw table' -- "$3")) ;;
        calls) COMPREPLY=($(compgen -W 'table json text raw' -- "$3")) ;;
        trace) COMPREPLY=($(compgen -W 'timeline json text raw table' -- "$3")) ;;
        login-check|check|doctor) COMPREPLY=($(compgen -W 'text json' -- "$3")) ;;
        esac ;;
    --color)
        COMPREPLY=($(compgen -W 'auto always never' -- "$3")) ;;
    --classes)
        _ami_commalist "$_ami_classes" "$3" ;;
    --event|-e)
        COMPREPLY=($(compgen -W "$_ami_events" -- "$3")) ;;
    --overflow)
        COMPREPLY=($(compgen -W 'block drop' -- "$3")) ;;
    --until)
        COMPREPLY=($(compgen -W 'answer hangup' -- "$3")) ;;
    --action)
        COMPREPLY=($(compgen -W "$_ami_actions" -- "$3")) ;;
    --replay)
        compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$3")) ;;
    --flood-end)
        COMPREPLY=($(compgen -W 'open goodbye close' -- "$3")) ;;
    esac
    return 0
}

_ami() {
    local cur="" prev="" cmd="" npos=0 ddash="" i w
    COMPREPLY=()
    cur="${COMP_WORDS[COMP_CWORD]}"
    if (( COMP_CWORD > 0 )); then
        prev="${COMP_WORDS[COMP_CWORD-1]}"
    fi
    # bash splits --flag=value at "=" (COMP_WORDBREAKS).
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && (( COMP_CWORD > 1 )); then
        prev="${COMP_WORDS[COMP_CWORD-2]}"
    fi

    # Find the subcommand and count its positional arguments.
    for (( i = 1; i < COMP_CWORD; i++ )); do
        w="${COMP_WORDS[i]}"
        if [[ -z $ddash && $w == "--" ]]; then
            ddash=1
            continue
        fi
        if [[ -z $ddash && $w == -* ]]; then
            if [[ ${COMP_WORDS[i+1]} == "=" ]]; then
                (( i += 2 ))
            elif _ami_value_flag "$w"; then
                (( i++ ))
            fi
            continue
        fi
        if [[ -z $cmd ]]; then
            cmd="$w"
        else
            (( npos++ ))
        fi
    done

    if [[ -z $ddash && $prev == -* ]] && _ami_value_flag "$prev"; then
        _ami_value "$cmd" "$prev" "$cur"
        return 0
    fi
    if [[ -z $ddash && $cur == -* ]]; then
        case "$cmd" in
        "") w='--auth --help --host --hosts-file --mock --parallel --port
--profile --secret --secret-file --timeout --tls --tls-ca
--tls-fingerprint --tls-insecure --tls-server-name --trace
--url --user --version -H -h -p -u -v' ;;
        send) w='--auth --buffer --color --help --host --hosts-file --mock
--output --parallel --port --profile --secret --secret-file
--timeout --tls --tls-ca --tls-fingerprint --tls-insecure
--tls-server-name --trace --url --user -H -h -o -p -u' ;;
        list) w='--all --auth --buffer --color --fields --help --host
--hosts-file --mock --output --parallel --port --profile
--secret --secret-file --timeout --tls --tls-ca
--tls-fingerprint --tls-insecure --tls-server-name --trace
--url --user -H -a -f -h -o -p -u' ;;
        command) w='--auth --color --help --host --hosts-file --mock --output
--parallel --port --profile --secret --secret-file --timeout
--tls --tls-ca --tls-fingerprint --tls-insecure
--tls-server-name --trace --url --user -H -h -o -p -u' ;;
        listen) w='--auth --buffer --classes --color --count --duration --event
--exclude --help --host --hosts-file --keepalive --match
--mock --output --overflow --parallel --port --profile
--reconnect --secret --secret-file --server-filter --timeout
--timestamps --tls --tls-ca --tls-fingerprint --tls-insecure
--tls-server-name --trace --url --user -H -d -e -h -m -n -o
-p -r -t -u -x' ;;
        originate) w='--account --app --auth --caller-id --color --data --dry-run
--hangup-on-exit --help --host --hosts-file --mock --output
--parallel --port --profile --ring-timeout --secret
--secret-file --timeout --tls --tls-ca --tls-fingerprint
--tls-insecure --tls-server-name --trace --until --url
--user --var --wait -H -h -o -p -u' ;;
        calls) w='--auth --buffer --color --help --host --hosts-file
--interval --mock --once --output --parallel --port
--profile --reconnect --secret --secret-file --timeout --tls
--tls-ca --tls-fingerprint --tls-insecure --tls-server-name
--trace --url --user --where -H -h -o -p -r -u' ;;
        trace) w='--auth --caller --channel --color --exten --from --help
--host --hosts-file --mock --output --parallel --port
--profile --secret --secret-file --timeout --tls --tls-ca
--tls-fingerprint --tls-insecure --tls-server-name --trace
--uniqueid --url --user -H -h -o -p -u' ;;
        login-check) w='--action --auth --cert-warning --critical --help --host
--hosts-file --mock --output --parallel --port --profile
--quiet --secret --secret-file --timeout --tls --tls-ca
--tls-fingerprint --tls-insecure --tls-server-name --trace
--url --user --warning -H -c -h -o -p -q -u -w' ;;
        check) w='--auth --critical --expect --help --host --hosts-file
--label --max --mock --output --parallel --port --profile
--quiet --secret --secret-file --timeout --tls --tls-ca
--tls-fingerprint --tls-insecure --tls-server-name --trace
--url --user --warning --where -H -c -h -l -o -p -q -u -w' ;;
        doctor) w='--auth --help --host --hosts-file --mock --need --output
--parallel --port --profile --secret --secret-file --timeout
--tls --tls-ca --tls-fingerprint --tls-insecure
--tls-server-name --trace --url --user -H -h -o -p -u' ;;
        mock) w='--allow-remote --calls --flood --flood-calls --flood-end
--help --listen --rate --replay --user --verbose -h -l -v' ;;
        completion) w='--help -h' ;;
        help|h) w='--help -h' ;;
        *) w='--help -h' ;;
        esac
        COMPREPLY=($(compgen -W "$w" -- "$cur"))
        return 0
    fi
    if [[ -z $cmd ]]; then
        COMPREPLY=($(compgen -W "$_ami_commands" -- "$cur"))
        return 0
    fi
    case "$cmd" in
    send)
        (( npos == 0 )) && COMPREPLY=($(compgen -W "$_ami_actions" -- "$cur")) ;;
    list)
        (( npos == 0 )) && COMPREPLY=($(compgen -W "$_ami_list_actions" -- "$cur")) ;;
    login-check)
        COMPREPLY=($(compgen -A hostname -- "$cur")) ;;
    completion)
        (( npos == 0 )) && COMPREPLY=($(compgen -W 'bash fish zsh' -- "$cur")) ;;
    help|h)
        (( npos == 0 )) && COMPREPLY=($(compgen -W 'send list command listen originate calls trace login-check check doctor mock completion' -- "$cur")) ;;
    esac
    return 0
}

complete -F _ami ami
