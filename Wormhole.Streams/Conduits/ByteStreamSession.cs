namespace Wormhole.Streams;

/// <summary>
/// What a running <see cref="ByteStreamFlow"/> materializes: <paramref name="Connected"/> completes when its streams are
/// open (or faults), <paramref name="Stopped"/> when the stage has stopped and disposed them.
/// </summary>
/// <remarks>A class, not a value tuple: Akka.Streams casts materialized values to <c>object</c>-typed stage interfaces.</remarks>
internal sealed record ByteStreamSession(Task Connected, Task Stopped);
