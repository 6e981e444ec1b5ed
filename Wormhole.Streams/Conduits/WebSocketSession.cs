namespace Wormhole.Streams;

/// <summary>
/// What a running <see cref="WebSocketFlow"/> materializes: <paramref name="Connected"/> completes when the socket is open
/// (or faults), <paramref name="Stopped"/> when the stage has stopped and disposed the socket.
/// </summary>
/// <remarks>A class, not a value tuple: Akka.Streams casts materialized values to <c>object</c>-typed stage interfaces.</remarks>
internal sealed record WebSocketSession(Task Connected, Task Stopped);
