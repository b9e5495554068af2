# fish completion for ami.
# Generated from the ami command definitions and the built-in Asterisk 22
# catalogue by: go test ./cmd/ami -run TestCompletionScripts -update
# Do not edit by hand.
#
# Install: copy to ~/.config/fish/completions/ami.fish, or run
# ami completion fish | source

set -g __ami_value_flags --host -H --port -p --secret-file --output -o --event -e --classes --count \
    -n --action

# __ami_words: the words of the command line before the cursor, program
# name removed, with the values of value-taking flags removed.
function __ami_words
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for t in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $t
            case '-*=*'
                continue
            case '-*'
                if contains -- $t $__ami_value_flags
                    set skip 1
                end
                continue
        end
        echo $t
    end
end

# __ami_using NAME...: whether the subcommand is one of the NAMEs ("ami"
# stands for none yet).
function __ami_using
    set -l words (__ami_words)
    if test (count $words) -eq 0
        contains -- ami $argv
        return
    end
    contains -- $words[1] $argv
end

# __ami_arg N NAME...: whether the subcommand is one of the NAMEs and N of its
# arguments are already typed.
function __ami_arg
    set -l n $argv[1]
    set -e argv[1]
    set -l words (__ami_words)
    test (count $words) -eq (math $n + 1); and contains -- $words[1] $argv
end

function __ami_classes
    set -l tok (commandline -ct)
    set -l pre (string replace -r '[^,=]*$' '' -- $tok)
    set pre (string replace -r '^-.*=' '' -- $pre)
    for c in system call log verbose command agent user config dtmf reporting cdr \
            dialplan originate agi hookresponse cc aoc test security \
            message all
        echo $pre$c
    end
end

function __ami_actions
    printf '%s\n' \
        AbsoluteTimeout AgentLogoff Agents AGI AOCMessage Atxfer BlindTransfer \
        Bridge BridgeDestroy BridgeInfo BridgeKick BridgeList \
        BridgeTechnologyList BridgeTechnologySuspend \
        BridgeTechnologyUnsuspend CancelAtxfer Challenge ChangeMonitor \
        Command ConfbridgeKick ConfbridgeList ConfbridgeListRooms \
        ConfbridgeLock ConfbridgeMute ConfbridgeSetSingleVideoSrc \
        ConfbridgeStartRecord ConfbridgeStopRecord ConfbridgeUnlock \
        ConfbridgeUnmute ControlPlayback CoreSettings \
        CoreShowChannelMap CoreShowChannels CoreStatus CreateConfig \
        DAHDIDialOffhook DAHDIDNDoff DAHDIDNDon DAHDIHangup \
        DAHDIRestart DAHDIShowChannels DAHDIShowStatus DAHDITransfer \
        DBDel DBDelTree DBGet DBGetTree DBPut DeviceStateList \
        DialplanExtensionAdd DialplanExtensionRemove Events \
        ExtensionState ExtensionStateList FAXSession FAXSessions \
        FAXStats Filter GetConfig GetConfigJSON Getvar Hangup \
        IAXnetstats IAXpeerlist IAXpeers IAXregistry JabberSend \
        ListCategories ListCommands LocalOptimizeAway LoggerRotate \
        Login Logoff MailboxCount MailboxStatus MeetmeList \
        MeetmeListRooms MeetmeMute MeetmeUnmute MessageSend MixMonitor \
        MixMonitorMute ModuleCheck ModuleLoad Monitor MuteAudio \
        MWIDelete MWIGet MWIUpdate Originate Park ParkedCalls \
        Parkinglots PauseMonitor Ping PJSIPHangup PJSIPNotify \
        PJSIPQualify PJSIPRegister PJSIPShowAors PJSIPShowAuths \
        PJSIPShowContacts PJSIPShowEndpoint PJSIPShowEndpoints \
        PJSIPShowRegistrationInboundContactStatuses \
        PJSIPShowRegistrationsInbound PJSIPShowRegistrationsOutbound \
        PJSIPShowResourceLists PJSIPShowSubscriptionsInbound \
        PJSIPShowSubscriptionsOutbound PJSIPUnregister PlayDTMF PlayMF \
        PresenceState PresenceStateList PRIDebugFileSet \
        PRIDebugFileUnset PRIDebugSet PRIShowSpans QueueAdd \
        QueueChangePriorityCaller QueueLog QueueMemberRingInUse \
        QueuePause QueuePenalty QueueReload QueueRemove QueueReset \
        QueueRule Queues QueueStatus QueueSummary QueueWithdrawCaller \
        Redirect Reload SendFlash SendText Setvar ShowDialPlan \
        SIPnotify SIPpeers SIPpeerstatus SIPqualifypeer SIPshowpeer \
        SIPshowregistry SKINNYdevices SKINNYlines SKINNYshowdevice \
        SKINNYshowline SorceryMemoryCacheExpire \
        SorceryMemoryCacheExpireObject SorceryMemoryCachePopulate \
        SorceryMemoryCacheStale SorceryMemoryCacheStaleObject Status \
        StopMixMonitor StopMonitor UnpauseMonitor UpdateConfig \
        UserEvent VoicemailBoxSummary VoicemailRefresh \
        VoicemailUsersList VoicemailUserStatus WaitEvent
end

function __ami_list_actions
    printf '%s\n' \
        Agents BridgeInfo BridgeList BridgeTechnologyList ConfbridgeList \
        ConfbridgeListRooms CoreShowChannelMap CoreShowChannels \
        DAHDIShowChannels DAHDIShowStatus DBGet DBGetTree \
        DeviceStateList ExtensionStateList FAXSession FAXSessions \
        IAXpeerlist IAXregistry MeetmeList MeetmeListRooms MWIGet \
        ParkedCalls Parkinglots PJSIPShowAors PJSIPShowAuths \
        PJSIPShowContacts PJSIPShowEndpoint PJSIPShowEndpoints \
        PJSIPShowRegistrationInboundContactStatuses \
        PJSIPShowRegistrationsInbound PJSIPShowRegistrationsOutbound \
        PJSIPShowResourceLists PJSIPShowSubscriptionsInbound \
        PJSIPShowSubscriptionsOutbound PresenceStateList PRIShowSpans \
        QueueStatus QueueSummary ShowDialPlan SIPpeers SIPpeerstatus \
        SIPshowregistry SKINNYdevices SKINNYlines Status \
        VoicemailBoxSummary VoicemailUsersList
end

function __ami_events
    printf '%s\n' \
        AgentCalled AgentComplete AgentConnect AgentDump AgentLogin \
        AgentLogoff AgentRingNoAnswer Agents AgentsComplete AGIExecEnd \
        AGIExecStart Alarm AlarmClear AOC-D AOC-E AOC-S AorDetail \
        AorList AorListComplete AsyncAGIEnd AsyncAGIExec AsyncAGIStart \
        AttendedTransfer AuthDetail AuthList AuthListComplete \
        AuthMethodNotAllowed BlindTransfer BridgeCreate BridgeDestroy \
        BridgeEnter BridgeInfoChannel BridgeInfoComplete BridgeLeave \
        BridgeListComplete BridgeListItem BridgeMerge \
        BridgeTechnologyListComplete BridgeTechnologyListItem \
        BridgeVideoSourceUpdate Cdr CEL ChallengeResponseFailed \
        ChallengeSent ChannelTalkingStart ChannelTalkingStop \
        ChanSpyStart ChanSpyStop ConfbridgeEnd ConfbridgeJoin \
        ConfbridgeLeave ConfbridgeList ConfbridgeListComplete \
        ConfbridgeListRooms ConfbridgeListRoomsComplete ConfbridgeMute \
        ConfbridgeRecord ConfbridgeStart ConfbridgeStopRecord \
        ConfbridgeTalking ConfbridgeUnmute ContactList \
        ContactListComplete ContactStatus ContactStatusDetail \
        CoreShowChannel CoreShowChannelMap CoreShowChannelMapComplete \
        CoreShowChannelsComplete DAHDIChannel DAHDIShowChannels \
        DAHDIShowChannelsComplete DBGetComplete DBGetResponse \
        DBGetTreeComplete DBGetTreeResponse DeviceStateChange \
        DeviceStateListComplete DialBegin DialEnd DialState DNDState \
        DTMFBegin DTMFEnd EndpointDetail EndpointDetailComplete \
        EndpointList EndpointListComplete ExtensionStateListComplete \
        ExtensionStatus FailedACL FAXSession FAXSessionsComplete \
        FAXSessionsEntry FAXStats FAXStatus Flash FullyBooted Hangup \
        HangupHandlerPop HangupHandlerPush HangupHandlerRun \
        HangupRequest Hold IdentifyDetail InboundRegistrationDetail \
        InboundSubscriptionDetail InvalidAccountID InvalidPassword \
        InvalidTransport ListDialplan Load LoadAverageLimit \
        LocalBridge LocalOptimizationBegin LocalOptimizationEnd \
        LogChannel MCID MemoryLimit MessageWaiting MiniVoiceMail \
        MixMonitorMute MixMonitorStart MixMonitorStop MusicOnHoldStart \
        MusicOnHoldStop MWIGet MWIGetComplete NewAccountCode \
        NewCallerid Newchannel NewConnectedLine Newexten Newstate \
        OriginateResponse OutboundRegistrationDetail \
        OutboundSubscriptionDetail ParkedCall ParkedCallGiveUp \
        ParkedCallsComplete ParkedCallSwap ParkedCallTimeOut \
        Parkinglot ParkinglotsComplete PeerStatus Pickup \
        PresenceStateChange PresenceStateListComplete PresenceStatus \
        QueueCallerAbandon QueueCallerJoin QueueCallerLeave QueueEntry \
        QueueMember QueueMemberAdded QueueMemberPause \
        QueueMemberPenalty QueueMemberRemoved QueueMemberRinginuse \
        QueueMemberStatus QueueParams QueueStatusComplete QueueSummary \
        QueueSummaryComplete ReceiveFAX Registry Reload Rename \
        RequestBadFormat RequestNotAllowed RequestNotSupported \
        RTCPReceived RTCPSent SendFAX SessionLimit SessionTimeout \
        ShowDialPlanComplete Shutdown SoftHangupRequest SpanAlarm \
        SpanAlarmClear Status StatusComplete SuccessfulAuth \
        TransportDetail UnexpectedAddress Unhold Unload UnParkedCall \
        UserEvent VarSet VoicemailPasswordChange VoicemailUserEntry \
        VoicemailUserEntryComplete Wink
end

complete -c ami -f
complete -c ami -n '__ami_using ami' -a send -d 'send actions'
complete -c ami -n '__ami_using ami' -a listen -d 'print events'
complete -c ami -n '__ami_using ami' -a list -d 'print a list'
complete -c ami -n '__ami_using ami' -a login-check -d 'Nagios check'
complete -c ami -n '__ami_using ami' -a completion -d 'print a completion script'
complete -c ami -n '__ami_using ami' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI host [$AMI_HOST]'
complete -c ami -n '__ami_using ami' -l port -s p -x -d 'AMI port'
complete -c ami -n '__ami_using ami' -l secret-file -r -F -d 'read the secret from FILE'
complete -c ami -n '__ami_using ami' -l output -s o -x -a 'text json raw' -d 'output format: text, json, raw'
complete -c ami -n '__ami_using ami' -l tls -d 'use TLS (it\'s "amis")'
complete -c ami -n '__ami_using ami' -l mock -d 'use a simulated PBX'

complete -c ami -n '__ami_using send s' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI host [$AMI_HOST]'
complete -c ami -n '__ami_using send s' -l port -s p -x -d 'AMI port'
complete -c ami -n '__ami_using send s' -l secret-file -r -F -d 'read the secret from FILE'
complete -c ami -n '__ami_using send s' -l output -s o -x -a 'text json raw' -d 'output format: text, json, raw'
complete -c ami -n '__ami_using send s' -l tls -d 'use TLS (it\'s "amis")'
complete -c ami -n '__ami_arg 0 send s' -a '(__ami_actions)'

complete -c ami -n '__ami_using listen' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI host [$AMI_HOST]'
complete -c ami -n '__ami_using listen' -l port -s p -x -d 'AMI port'
complete -c ami -n '__ami_using listen' -l secret-file -r -F -d 'read the secret from FILE'
complete -c ami -n '__ami_using listen' -l output -s o -x -a 'text json raw' -d 'output format: text, json, raw'
complete -c ami -n '__ami_using listen' -l tls -d 'use TLS (it\'s "amis")'
complete -c ami -n '__ami_using listen' -l event -s e -x -a '(__ami_events)' -d 'only events named GLOB: [repeatable]'
complete -c ami -n '__ami_using listen' -l classes -x -a '(__ami_classes)' -d 'event classes'
complete -c ami -n '__ami_using listen' -l count -s n -x -d 'stop after N events'

complete -c ami -n '__ami_using list' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI host [$AMI_HOST]'
complete -c ami -n '__ami_using list' -l port -s p -x -d 'AMI port'
complete -c ami -n '__ami_using list' -l secret-file -r -F -d 'read the secret from FILE'
complete -c ami -n '__ami_using list' -l output -s o -x -a 'text json raw' -d 'output format: text, json, raw'
complete -c ami -n '__ami_using list' -l tls -d 'use TLS (it\'s "amis")'
complete -c ami -n '__ami_using list' -l output -s o -x -a 'text table' -d 'output format'
complete -c ami -n '__ami_arg 0 list' -a '(__ami_list_actions)'

complete -c ami -n '__ami_using login-check' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI host [$AMI_HOST]'
complete -c ami -n '__ami_using login-check' -l port -s p -x -d 'AMI port'
complete -c ami -n '__ami_using login-check' -l secret-file -r -F -d 'read the secret from FILE'
complete -c ami -n '__ami_using login-check' -l output -s o -x -a 'text json raw' -d 'output format: text, json, raw'
complete -c ami -n '__ami_using login-check' -l tls -d 'use TLS (it\'s "amis")'
complete -c ami -n '__ami_using login-check' -l action -x -a '(__ami_actions)' -d 'action to send'
complete -c ami -n '__ami_using login-check' -a '(__fish_print_hostnames)'

complete -c ami -n '__ami_arg 0 completion' -a 'bash fish zsh'
