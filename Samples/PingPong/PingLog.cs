namespace PingPongSample;

/// <summary>
/// Prints what reaches the server, one line per message of the game. Messages of the client's burst
/// (<see cref="PingPong.Burst"/>) are counted quietly, the count printed once a second. So are a long game's
/// messages past <see cref="LinesPerSecond"/> in a second, and in every busy second after it.
/// </summary>
internal sealed class PingLog
{
    private const int LinesPerSecond = 20;
    private readonly Lock _lock = new();
    private long _windowStart = Environment.TickCount64;
    private int _inWindow;
    private bool _busy;
    private long _quiet;

    public void Received(PingPong message)
    {
        lock (_lock)
        {
            RollWindow();
            if (!message.Burst && ++_inWindow <= LinesPerSecond && !_busy)
            {
                Console.WriteLine($"server <- {message.GetType().Name} round {message.Round} from {message.From}");
            }
            else
            {
                _quiet++;
            }
        }
    }

    /// <summary>Prints how many messages went unprinted since the last line, if any; called once a second.</summary>
    public void Flush()
    {
        lock (_lock)
        {
            RollWindow();
            PrintQuiet();
        }
    }

    private void RollWindow()
    {
        var now = Environment.TickCount64;
        if (now - _windowStart >= 1000)
        {
            PrintQuiet();
            _busy = _inWindow > LinesPerSecond;
            _windowStart = now;
            _inWindow = 0;
        }
    }

    private void PrintQuiet()
    {
        if (_quiet > 0)
        {
            Console.WriteLine($"server: … {_quiet:N0} more messages answered, not printed");
            _quiet = 0;
        }
    }
}
