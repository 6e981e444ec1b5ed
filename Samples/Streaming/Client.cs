using Akka.Actor;
using Wormhole.Streams;

namespace StreamingSample;

/// <summary>
/// <c>client --port N [options]</c>: connects to the server, reads the live feed slowly (<see cref="FeedReader"/>), then
/// uploads a file (<see cref="FileUploader"/>), and closes the portal. Exit code 0 when both went as they should.
/// </summary>
internal static class Client
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(int port, ClientOptions options)
    {
        using var system = ActorSystem.Create("client", "akka.loglevel = WARNING\nakka.stdout-loglevel = WARNING");
        // The upload is read at most 4 chunks ahead of the wire: the default read-ahead is 256 elements whatever their size,
        // 16 MiB of 64 KiB chunks, and the progress bar would run that far ahead of the server.
        var nexus = Nexus.Create(system, new NexusOptions { StreamProducerBuffer = 4 });
        try
        {
            Portal portal;
            try
            {
                using var connecting = new CancellationTokenSource(Patience);
                portal = await nexus.ConnectAsync(Conduit.Tcp("127.0.0.1", port), connecting.Token);
            }
            catch (Exception e) when (e is PortalClosedException or OperationCanceledException)
            {
                Console.Error.WriteLine($"client: cannot connect to a wormhole at 127.0.0.1:{port}: {e.Message}");
                return 2;
            }

            Console.WriteLine($"client: connected, portal {portal.Id}");
            var ticker = await portal.LookupAsync<Subscribe>(Ticker.PublishedName).WaitAsync(Patience);
            var fed = await FeedReader.RunAsync(system, ticker, nexus.Options.StreamWindowElements, options.Duration, options.Rate);
            var uploads = await portal.LookupAsync<Upload>(UploadReceiver.PublishedName).WaitAsync(Patience);
            var uploaded = await FileUploader.RunAsync(uploads, options.File, options.Mib);
            var closed = await portal.CloseAsync().WaitAsync(Patience);
            Console.WriteLine($"client: portal closed ({closed})");
            return fed && uploaded ? 0 : 1;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"client: failed: {e.GetType().Name}: {e.Message}");
            return 1;
        }
        finally
        {
            await nexus.DisposeAsync();
            await system.Terminate();
        }
    }
}
