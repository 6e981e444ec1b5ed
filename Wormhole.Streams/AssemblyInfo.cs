// Wormhole.Streams: the wormhole itself (conduits, portal stage, nexus, wire protocol) arrives with the issue "The wormhole".
