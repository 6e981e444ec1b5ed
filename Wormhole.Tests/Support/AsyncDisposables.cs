namespace Wormhole.Tests.Support;

/// <summary>What a test started (servers, listeners, nexuses, peers), disposed after it in reverse order.</summary>
public sealed class AsyncDisposables : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _items = [];

    /// <summary>Keeps <paramref name="item"/> for disposal and returns it.</summary>
    public T Add<T>(T item)
        where T : IAsyncDisposable
    {
        _items.Add(item);
        return item;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var item in Enumerable.Reverse(_items))
        {
            await item.DisposeAsync();
        }

        _items.Clear();
    }
}
