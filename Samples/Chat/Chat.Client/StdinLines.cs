using System.Threading.Channels;

namespace Chat.Client;

/// <summary>
/// The lines of standard input as a channel, read on a background thread (a console read blocks), so the chat can
/// wait for the next line and for the connection's end at once. The channel completes at the end of input.
/// </summary>
internal static class StdinLines
{
    public static ChannelReader<string> Start(CancellationToken stop)
    {
        var lines = Channel.CreateBounded<string>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
        var reader = new Thread(() =>
        {
            try
            {
                while (Console.In.ReadLine() is { } line)
                {
                    lines.Writer.WriteAsync(line, stop).AsTask().GetAwaiter().GetResult(); // a dedicated thread: waiting here is its job
                }
            }
            catch (OperationCanceledException)
            {
                // stopped (Ctrl+C)
            }
            finally
            {
                lines.Writer.TryComplete();
            }
        })
        {
            IsBackground = true, // a read still blocked at exit does not keep the process alive
            Name = "stdin",
        };
        reader.Start();
        stop.Register(() => lines.Writer.TryComplete());
        return lines.Reader;
    }
}
