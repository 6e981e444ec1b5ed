namespace Wormhole.Streams.Streaming;

/// <summary>
/// A stream from the peer as an <see cref="IObservable{T}"/>: subscribing claims the stream (a second subscription
/// throws) and reads it as fast as the observer's <c>OnNext</c> returns; disposing the subscription cancels the producer.
/// </summary>
/// <remarks>Notifications come from the thread pool, one at a time, in order (the Rx grammar holds).</remarks>
internal sealed class RemoteObservable<T>(StreamInlet<T> inlet) : IObservable<T>
{
    public IDisposable Subscribe(IObserver<T> observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        inlet.Claim($"IObservable<{typeof(T).Name}>", "subscribed to");
        var subscription = new CancellationTokenSource();
        _ = Task.Run(() => ForwardAsync(observer, subscription.Token));
        return new Subscription(subscription);
    }

    private async Task ForwardAsync(IObserver<T> observer, CancellationToken cancellationToken)
    {
        try
        {
            await using var elements = inlet.Open(cancellationToken);
            while (await elements.MoveNextAsync().ConfigureAwait(false))
            {
                observer.OnNext(elements.Current);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            observer.OnError(e);
            return;
        }

        observer.OnCompleted();
    }

    private sealed class Subscription(CancellationTokenSource cancellation) : IDisposable
    {
        public void Dispose() => cancellation.Cancel();
    }
}
