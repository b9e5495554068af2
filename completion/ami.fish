# fish completion for ami.
# Generated from the ami command definitions and the built-in Asterisk 22
# catalogue by: go test ./cmd/ami -run TestCompletionScripts -update
# Do not edit by hand.
#
# Install: copy to ~/.config/fish/completions/ami.fish, or run
# ami completion fish | source

set -g __ami_value_flags --host -H --hosts-file --parallel --port -p --user -u --url --secret \
    --secret-file --profile --tls-ca --tls-server-name --tls-fingerprint \
    --auth --timeout --output -o --color --buffer --fields -f --classes \
    --event -e --match -m --exclude -x --count -n --duration -d --overflow \
    --keepalive --app --data --caller-id --var --ring-timeout --account \
    --until --where --interval --channel --uniqueid --from --caller --exten \
    --action --warning -w --critical -c --cert-warning --label -l --expect \
    --max --need --listen --rate --calls --replay --flood --flood-calls \
    --flood-end

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

# __ami_classes: the classes not yet in the comma-separated list being typed.
function __ami_classes
    set -l tok (commandline -ct)
    set -l pre (string replace -r '[^,=]*$' '' -- $tok)
    set pre (string replace -r '^-.*=' '' -- $pre)
    set -l have (string split , -- $pre)
    for c in system call log verbose command agent user config dtmf reporting cdr \
            dialplan originate agi hookresponse cc aoc test security \
            message all
        contains -- $c $have; or echo $pre$c
    end
end

# __ami_run ARGS...: what the program (as typed) prints when run with ARGS.
function __ami_run
    set -l prog (commandline -opc)[1]
    command $prog $argv 2>/dev/null
end

function __ami_actions
    printf '%s\n' \
        AbsoluteTimeout AgentLogoff Agents AGI AOCMessage Atxfer BlindTransfer \
        Bridge BridgeDestroy BridgeInfo BridgeKick BridgeList \
        BridgeTechnologyList BridgeTechnologySuspend \
        BridgeTechnologyUnsuspend CancelAtxfer Challenge Command \
        ConfbridgeKick ConfbridgeList ConfbridgeListRooms \
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
        MixMonitorMute ModuleCheck ModuleLoad MuteAudio MWIDelete \
        MWIGet MWIUpdate Originate Park ParkedCalls Parkinglots Ping \
        PJSIPHangup PJSIPNotify PJSIPQualify PJSIPRegister \
        PJSIPShowAors PJSIPShowAuths PJSIPShowContacts \
        PJSIPShowEndpoint PJSIPShowEndpoints \
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
        SorceryMemoryCacheExpire SorceryMemoryCacheExpireObject \
        SorceryMemoryCachePopulate SorceryMemoryCacheStale \
        SorceryMemoryCacheStaleObject Status StopMixMonitor \
        UpdateConfig UserEvent VoicemailBoxSummary VoicemailRefresh \
        VoicemailUsersList VoicemailUserStatus WaitEvent
    printf '%s\t%s\n' ChangeMonitor 'removed in Asterisk 21 (res_monitor)'
    printf '%s\t%s\n' Monitor 'removed in Asterisk 21 (res_monitor)'
    printf '%s\t%s\n' PauseMonitor 'removed in Asterisk 21 (res_monitor)'
    printf '%s\t%s\n' SIPnotify 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SIPpeers 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SIPpeerstatus 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SIPqualifypeer 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SIPshowpeer 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SIPshowregistry 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SKINNYdevices 'removed in Asterisk 21 (chan_skinny)'
    printf '%s\t%s\n' SKINNYlines 'removed in Asterisk 21 (chan_skinny)'
    printf '%s\t%s\n' SKINNYshowdevice 'removed in Asterisk 21 (chan_skinny)'
    printf '%s\t%s\n' SKINNYshowline 'removed in Asterisk 21 (chan_skinny)'
    printf '%s\t%s\n' StopMonitor 'removed in Asterisk 21 (res_monitor)'
    printf '%s\t%s\n' UnpauseMonitor 'removed in Asterisk 21 (res_monitor)'
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
        QueueStatus QueueSummary ShowDialPlan Status \
        VoicemailBoxSummary VoicemailUsersList
    printf '%s\t%s\n' SIPpeers 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SIPpeerstatus 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SIPshowregistry 'removed in Asterisk 21 (chan_sip)'
    printf '%s\t%s\n' SKINNYdevices 'removed in Asterisk 21 (chan_skinny)'
    printf '%s\t%s\n' SKINNYlines 'removed in Asterisk 21 (chan_skinny)'
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
complete -c ami -n '__ami_using ami' -a send -d 'send actions and print their responses (and list events)'
complete -c ami -n '__ami_using ami' -a list -d 'print the items of a list action (CoreShowChannels, Status, QueueStatus, ...)'
complete -c ami -n '__ami_using ami' -a command -d 'run an Asterisk CLI command and print its output, like asterisk -rx'
complete -c ami -n '__ami_using ami' -a listen -d 'print events as they arrive'
complete -c ami -n '__ami_using ami' -a originate -d 'start a call and, with --wait, report its outcome'
complete -c ami -n '__ami_using ami' -a calls -d 'show the calls that are up, grouped by Linkedid'
complete -c ami -n '__ami_using ami' -a trace -d 'print one call\'s events, from its first channel to its last hangup'
complete -c ami -n '__ami_using ami' -a login-check -d 'check that Asterisk accepts a login, as a Nagios/Icinga plugin'
complete -c ami -n '__ami_using ami' -a check -d 'judge any list (or action) as a Nagios/Icinga check: count, expected values, longest durations'
complete -c ami -n '__ami_using ami' -a doctor -d 'walk from the network to events and say what is wrong, with the manager.conf fix'
complete -c ami -n '__ami_using ami' -a mock -d 'serve a simulated Asterisk PBX on a loopback address'
complete -c ami -n '__ami_using ami' -a completion -d 'print the shell completion script for bash, zsh or fish'
complete -c ami -n '__ami_using ami' -a help -d 'show the help of a command'
complete -c ami -n '__ami_using ami' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using ami' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using ami' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using ami' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using ami' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using ami' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using ami' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using ami' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using ami' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using ami' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using ami' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using ami' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using ami' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using ami' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using ami' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using ami' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using ami' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using ami' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using ami' -l version -s v -d 'print the version'
complete -c ami -n '__ami_using ami' -l help -s h -d 'show help'

complete -c ami -n '__ami_using send' -l output -s o -x -a 'text json raw' -d 'output FORMAT: text, json or raw'
complete -c ami -n '__ami_using send' -l color -x -a 'auto always never' -d 'WHEN to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never'
complete -c ami -n '__ami_using send' -l buffer -x -d 'hold up to SIZE of list events (like 512KiB, 64MiB, 1G); a bigger list fails'
complete -c ami -n '__ami_using send' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using send' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using send' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using send' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using send' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using send' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using send' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using send' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using send' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using send' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using send' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using send' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using send' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using send' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using send' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using send' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using send' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using send' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using send' -l help -s h -d 'show help'
complete -c ami -n '__ami_arg 0 send' -a '(__ami_actions)'

complete -c ami -n '__ami_using list' -l output -s o -x -a 'text json raw table' -d 'output FORMAT: text, json, raw or table'
complete -c ami -n '__ami_using list' -l color -x -a 'auto always never' -d 'WHEN to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never'
complete -c ami -n '__ami_using list' -l fields -s f -x -d 'print only these KEYS, in this order (comma-separated or repeated; text, json and table)'
complete -c ami -n '__ami_using list' -l all -s a -d 'also print the starting response and the completion event'
complete -c ami -n '__ami_using list' -l buffer -x -d 'hold up to SIZE of items while stdout is slow, or of rows for -o table and --all (like 512KiB, 64MiB, 1G); past it the list fails'
complete -c ami -n '__ami_using list' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using list' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using list' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using list' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using list' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using list' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using list' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using list' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using list' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using list' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using list' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using list' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using list' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using list' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using list' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using list' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using list' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using list' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using list' -l help -s h -d 'show help'
complete -c ami -n '__ami_arg 0 list' -a '(__ami_list_actions)'

complete -c ami -n '__ami_using command' -l output -s o -x -a 'text json raw' -d 'output FORMAT: text, json or raw'
complete -c ami -n '__ami_using command' -l color -x -a 'auto always never' -d 'WHEN to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never'
complete -c ami -n '__ami_using command' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using command' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using command' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using command' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using command' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using command' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using command' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using command' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using command' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using command' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using command' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using command' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using command' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using command' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using command' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using command' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using command' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using command' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using command' -l help -s h -d 'show help'

complete -c ami -n '__ami_using listen' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using listen' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using listen' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using listen' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using listen' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using listen' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using listen' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using listen' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using listen' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using listen' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using listen' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using listen' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using listen' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using listen' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using listen' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using listen' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using listen' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using listen' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using listen' -l output -s o -x -a 'text json raw' -d 'output FORMAT: text, json or raw'
complete -c ami -n '__ami_using listen' -l color -x -a 'auto always never' -d 'WHEN to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never'
complete -c ami -n '__ami_using listen' -l classes -x -a '(__ami_classes)' -d 'ask only for events of CLASSES (comma-separated: system,call,log,verbose,command,agent,user,config,dtmf,reporting,cdr,dialplan,originate,agi,hookresponse,cc,aoc,test,security,message,all); default all'
complete -c ami -n '__ami_using listen' -l event -s e -x -a '(__ami_events)' -d 'print only events whose name matches GLOB (case-insensitive; repeatable: any of them)'
complete -c ami -n '__ami_using listen' -l match -s m -x -d 'print only events with a header KEY=GLOB (key case-insensitive; repeatable: all of them)'
complete -c ami -n '__ami_using listen' -l exclude -s x -x -d 'drop events with a header KEY=GLOB (repeatable: any of them)'
complete -c ami -n '__ami_using listen' -l server-filter -d 'also send the filters to Asterisk (Filter action) so that it sends less'
complete -c ami -n '__ami_using listen' -l count -s n -x -d 'stop after printing N events (0: no limit)'
complete -c ami -n '__ami_using listen' -l duration -s d -x -d 'stop after DURATION (like 30s or 1h; 0: no limit)'
complete -c ami -n '__ami_using listen' -l timestamps -s t -d 'add the time each event was received'
complete -c ami -n '__ami_using listen' -l buffer -x -d 'hold up to SIZE of events while stdout is slow (like 512KiB, 64MiB, 1G)'
complete -c ami -n '__ami_using listen' -l overflow -x -a 'block drop' -d 'WHAT to do when the buffer is full: block (stop reading; Asterisk may disconnect) or drop (count on stderr)'
complete -c ami -n '__ami_using listen' -l reconnect -s r -d 'when the connection is lost, connect and log in again (capped, jittered backoff)'
complete -c ami -n '__ami_using listen' -l keepalive -x -d 'send Ping after INTERVAL without a packet from the server, to notice a dead peer (0: off)'
complete -c ami -n '__ami_using listen' -l help -s h -d 'show help'

complete -c ami -n '__ami_using originate' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using originate' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using originate' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using originate' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using originate' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using originate' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using originate' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using originate' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using originate' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using originate' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using originate' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using originate' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using originate' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using originate' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using originate' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using originate' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using originate' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using originate' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using originate' -l output -s o -x -a 'text json raw' -d 'output FORMAT: text, json or raw'
complete -c ami -n '__ami_using originate' -l color -x -a 'auto always never' -d 'WHEN to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never'
complete -c ami -n '__ami_using originate' -l app -x -d 'run application APP on the new channel once it answers, instead of a dialplan extension'
complete -c ami -n '__ami_using originate' -l data -x -d 'the application\'s arguments DATA (with --app)'
complete -c ami -n '__ami_using originate' -l caller-id -x -d 'the new channel\'s caller ID CALLERID, like \'"Ops" <100>\''
complete -c ami -n '__ami_using originate' -l var -x -d 'set channel variable K=V on the new channel (repeatable)'
complete -c ami -n '__ami_using originate' -l ring-timeout -x -d 'let the channel ring for up to DURATION before Asterisk gives up (Originate\'s Timeout)'
complete -c ami -n '__ami_using originate' -l account -x -d 'the new channel\'s account CODE (CDR accountcode)'
complete -c ami -n '__ami_using originate' -l wait -d 'wait for the outcome and print it (the same as --until answer)'
complete -c ami -n '__ami_using originate' -l until -x -a 'answer hangup' -d 'wait UNTIL answer (the outcome) or hangup (the outcome, then the end of the answered call)'
complete -c ami -n '__ami_using originate' -l hangup-on-exit -d 'when interrupted (Ctrl-C) while waiting, hang up the channel it started first'
complete -c ami -n '__ami_using originate' -l dry-run -d 'print the Originate action it would send, and send nothing'
complete -c ami -n '__ami_using originate' -l help -s h -d 'show help'

complete -c ami -n '__ami_using calls' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using calls' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using calls' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using calls' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using calls' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using calls' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using calls' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using calls' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using calls' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using calls' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using calls' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using calls' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using calls' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using calls' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using calls' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using calls' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using calls' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using calls' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using calls' -l output -s o -x -a 'table json text raw' -d 'output FORMAT: table, json, text or raw'
complete -c ami -n '__ami_using calls' -l color -x -a 'auto always never' -d 'WHEN to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never'
complete -c ami -n '__ami_using calls' -l once -d 'print the calls up now (from CoreShowChannels) and exit'
complete -c ami -n '__ami_using calls' -l where -x -d 'keep only calls with a field KEY=GLOB (like Channel=PJSIP/100-*, State=bridged; repeatable: all of them)'
complete -c ami -n '__ami_using calls' -l interval -x -d 'redraw the table every INTERVAL (live table)'
complete -c ami -n '__ami_using calls' -l reconnect -s r -d 'when the connection is lost, connect again and rebuild the calls from a fresh snapshot'
complete -c ami -n '__ami_using calls' -l buffer -x -d 'hold up to SIZE of events while the output is slow (like 512KiB, 64MiB); then stop reading'
complete -c ami -n '__ami_using calls' -l help -s h -d 'show help'

complete -c ami -n '__ami_using trace' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using trace' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using trace' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using trace' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using trace' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using trace' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using trace' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using trace' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using trace' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using trace' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using trace' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using trace' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using trace' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using trace' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using trace' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using trace' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using trace' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using trace' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using trace' -l output -s o -x -a 'timeline json text raw table' -d 'output FORMAT: timeline, json, text, raw or table'
complete -c ami -n '__ami_using trace' -l color -x -a 'auto always never' -d 'WHEN to colour keys in text output: auto (only on a terminal, not with $NO_COLOR), always or never'
complete -c ami -n '__ami_using trace' -l channel -x -d 'trace the call of channel NAME (PJSIP/100-0000002a), or of the first channel of a device (PJSIP/100)'
complete -c ami -n '__ami_using trace' -l uniqueid -x -d 'trace the call of the channel with Uniqueid ID'
complete -c ami -n '__ami_using trace' -l from -x -d 'read a capture FILE written by listen -o raw or -o json (- for stdin) instead of a server'
complete -c ami -n '__ami_using trace' -l caller -x -d 'trace the call from NUM (a glob, like 10*): the one up now, or with --from the capture\'s'
complete -c ami -n '__ami_using trace' -l exten -x -d 'trace the call to NUM (a glob): the one up now, or with --from the capture\'s'
complete -c ami -n '__ami_using trace' -l help -s h -d 'show help'

complete -c ami -n '__ami_using login-check' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using login-check' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using login-check' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using login-check' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using login-check' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using login-check' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using login-check' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using login-check' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using login-check' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using login-check' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using login-check' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using login-check' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using login-check' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using login-check' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using login-check' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using login-check' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using login-check' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using login-check' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using login-check' -l output -s o -x -a 'text json' -d 'output FORMAT: text (Nagios plugin output) or json (one object per host)'
complete -c ami -n '__ami_using login-check' -l quiet -s q -d 'print nothing when every host is OK, and no line for a host that is (cron mails only failures)'
complete -c ami -n '__ami_using login-check' -l action -x -a '(__ami_actions)' -d 'send ACTION after login and wait for its reply'
complete -c ami -n '__ami_using login-check' -l warning -s w -x -d 'WARNING when the check (connect to reply) takes longer than DURATION (0: never)'
complete -c ami -n '__ami_using login-check' -l critical -s c -x -d 'CRITICAL when the check takes longer than DURATION (0: never; failures always are)'
complete -c ami -n '__ami_using login-check' -l cert-warning -x -d 'with --tls, WARNING when the server\'s certificate expires within AGE (like 30d or 720h), CRITICAL once it has'
complete -c ami -n '__ami_using login-check' -l help -s h -d 'show help'
complete -c ami -n '__ami_using login-check' -a '(__fish_print_hostnames)'

complete -c ami -n '__ami_using check' -l output -s o -x -a 'text json' -d 'output FORMAT: text (Nagios plugin output) or json (one object per host)'
complete -c ami -n '__ami_using check' -l quiet -s q -d 'print nothing when every host is OK, and no line for a host that is'
complete -c ami -n '__ami_using check' -l label -s l -x -d 'name the check NAME in its status line (default: the action)'
complete -c ami -n '__ami_using check' -l where -x -d 'keep only the items with a header KEY=GLOB (repeatable: all must match; the glob is case-sensitive, * ? [a-z])'
complete -c ami -n '__ami_using check' -l warning -s w -x -d 'WARNING when the number of items kept is outside RANGE (10, 10:, ~:10, 10:20, @10:20)'
complete -c ami -n '__ami_using check' -l critical -s c -x -d 'CRITICAL when the number of items kept is outside RANGE'
complete -c ami -n '__ami_using check' -l expect -x -d 'CRITICAL when an item kept lacks a header KEY=GLOB (repeatable), naming up to five such items'
complete -c ami -n '__ami_using check' -l max -x -d 'judge the largest value of a header, in seconds or H:MM:SS, as FIELD=WARN:CRIT (seconds or durations: Duration=1h:2h)'
complete -c ami -n '__ami_using check' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using check' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using check' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using check' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using check' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using check' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using check' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using check' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using check' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using check' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using check' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using check' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using check' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using check' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using check' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using check' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using check' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using check' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using check' -l help -s h -d 'show help'

complete -c ami -n '__ami_using doctor' -l need -x -d 'what this user is for: a comma list of NEEDS (read, write, events); the rest is a note when missing'
complete -c ami -n '__ami_using doctor' -l output -s o -x -a 'text json' -d 'output FORMAT: text (a line per step) or json (one object)'
complete -c ami -n '__ami_using doctor' -l host -s H -x -a '(__fish_print_hostnames)' -d 'AMI server HOST[:PORT]; repeat it or give a comma list to run on several hosts at once [$AMI_HOST]'
complete -c ami -n '__ami_using doctor' -l hosts-file -r -F -d 'run on the hosts listed in FILE (- for stdin): host[:port] or @profile, one a line, # comments'
complete -c ami -n '__ami_using doctor' -l parallel -x -d 'with several hosts, log in to at most N at a time'
complete -c ami -n '__ami_using doctor' -l port -s p -x -d 'AMI server PORT [$AMI_PORT]'
complete -c ami -n '__ami_using doctor' -l user -s u -x -d 'AMI USERNAME (manager.conf) [$AMI_USERNAME]'
complete -c ami -n '__ami_using doctor' -l url -x -d 'connect to URL ami://user@host:port, or amis://user@host:port for TLS'
complete -c ami -n '__ami_using doctor' -l secret -x -d 'the SECRET (visible to other users in ps: prefer $AMI_SECRET or --secret-file)'
complete -c ami -n '__ami_using doctor' -l secret-file -r -F -d 'read the secret from FILE (others may not read it; the group may) [$AMI_SECRET_FILE]'
complete -c ami -n '__ami_using doctor' -l profile -x -a '(__ami_run completion profiles)' -d 'use section NAME of $XDG_CONFIG_HOME/ami/config; a comma list runs on each profile\'s host [$AMI_PROFILE]'
complete -c ami -n '__ami_using doctor' -l tls -d 'connect with TLS (certificates are verified)'
complete -c ami -n '__ami_using doctor' -l tls-ca -r -F -d 'trust the CA certificates in PEM FILE instead of the system\'s; a certificate without subjectAltName (as ast_tls_cert makes) then matches by its CN'
complete -c ami -n '__ami_using doctor' -l tls-server-name -x -d 'expect NAME in the server certificate (default: the host)'
complete -c ami -n '__ami_using doctor' -l tls-fingerprint -x -d 'trust exactly the server certificate with this SHA-256 FINGERPRINT (as openssl x509 -noout -fingerprint -sha256 prints it); its chain and name are not checked'
complete -c ami -n '__ami_using doctor' -l tls-insecure -d 'do not verify the server certificate (insecure; says so on stderr)'
complete -c ami -n '__ami_using doctor' -l auth -x -a 'plain md5' -d 'login METHOD: plain or md5 (challenge-response)'
complete -c ami -n '__ami_using doctor' -l timeout -x -d 'TIMEOUT for connecting and logging in, then for each response (plus an action\'s own Timeout header); login-check and check: the whole run'
complete -c ami -n '__ami_using doctor' -l trace -d 'print the wire conversation on stderr (secrets masked)'
complete -c ami -n '__ami_using doctor' -l mock -d 'run against a built-in simulated Asterisk on a loopback port'
complete -c ami -n '__ami_using doctor' -l help -s h -d 'show help'

complete -c ami -n '__ami_using mock' -l listen -s l -x -d 'listen on ADDR (host:port, a loopback address unless --allow-remote)'
complete -c ami -n '__ami_using mock' -l allow-remote -d 'allow a non-loopback --listen address (the simulator\'s secrets are weak)'
complete -c ami -n '__ami_using mock' -l user -x -d 'accept the login NAME:SECRET with all permissions (repeatable)'
complete -c ami -n '__ami_using mock' -l rate -x -d 'start N simulated background calls per second (0: none)'
complete -c ami -n '__ami_using mock' -l calls -x -d 'N held calls present from the start (for CoreShowChannels, Status)'
complete -c ami -n '__ami_using mock' -l replay -r -F -d 'send the events of the raw capture FILE (as listen -o raw writes it) to each session after login; a file without events is refused'
complete -c ami -n '__ami_using mock' -l flood -x -d 'send N UserEvent events to each session after login, as fast as it reads (benchmarks)'
complete -c ami -n '__ami_using mock' -l flood-calls -x -d 'send the events of N short calls (Newchannel to Hangup, 19 events each) to each session after login (and after --flood), as fast as it reads (benchmarks)'
complete -c ami -n '__ami_using mock' -l flood-end -x -a 'open goodbye close' -d 'WHAT to do after the flood(s): open (keep serving), goodbye or close'
complete -c ami -n '__ami_using mock' -l verbose -s v -d 'log connections, logins and faults on stderr'
complete -c ami -n '__ami_using mock' -l help -s h -d 'show help'

complete -c ami -n '__ami_using completion' -l help -s h -d 'show help'
complete -c ami -n '__ami_arg 0 completion' -a 'bash fish zsh'

complete -c ami -n '__ami_using help h' -l help -s h -d 'show help'
complete -c ami -n '__ami_arg 0 help h' -a 'send list command listen originate calls trace login-check check doctor mock completion'
