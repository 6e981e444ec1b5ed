namespace Wormhole.Streams.Portals;

/// <summary>The proxies all portals of one nexus may hold at once (<see cref="NexusOptions.MaxProxiesPerNexus"/>). Thread-safe.</summary>
internal sealed class ProxyBudget(int capacity)
{
    private int _used;

    public int Capacity { get; } = capacity;

    public int Used => Volatile.Read(ref _used);

    /// <summary>Takes one proxy's place; false when the nexus holds <see cref="Capacity"/> already.</summary>
    public bool TryTake()
    {
        if (Interlocked.Increment(ref _used) <= Capacity)
        {
            return true;
        }

        Interlocked.Decrement(ref _used);
        return false;
    }

    public void Return(int count = 1) => Interlocked.Add(ref _used, -count);
}
