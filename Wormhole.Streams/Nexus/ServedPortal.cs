namespace Wormhole.Streams;

/// <summary>A portal served over an accepted connection (<see cref="Nexus.ServePortal{TMat}"/>), and when its conduit closed.</summary>
/// <param name="Portal">The portal; its handshake may still be under way.</param>
/// <param name="Stopped">Completes when the framing and the transport have stopped: the last frame is written and the connection closed.</param>
internal sealed record ServedPortal(Portal Portal, Task Stopped);
