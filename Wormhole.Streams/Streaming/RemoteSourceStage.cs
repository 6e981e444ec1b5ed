using Akka.Streams;
using Akka.Streams.Stage;

namespace Wormhole.Streams.Streaming;

/// <summary>
/// A stream from the peer as an Akka.Streams source: each pull takes the next buffered element, so the graph's demand
/// becomes the stream's credit. Materializing it claims the stream: the second materialization throws.
/// </summary>
/// <remarks>
/// Emits when: an element has arrived and downstream pulls. Completes when: the producer completed and the buffer is
/// drained. Fails when: the producer failed (<see cref="RemoteStreamException"/>) or the portal closed
/// (<see cref="PortalClosedException"/>). Cancels the producer when: downstream cancels.
/// </remarks>
internal sealed class RemoteSourceStage<T>(StreamInlet<T> inlet) : GraphStage<SourceShape<T>>
{
    public Outlet<T> Out { get; } = new("RemoteSource.out");

    public override SourceShape<T> Shape => new(Out);

    protected override Attributes InitialAttributes { get; } = Attributes.CreateName("RemoteSource");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes)
    {
        inlet.Claim($"Source<{typeof(T).Name}, NotUsed>", "materialized");
        return new Logic(this, inlet);
    }

    private sealed class Logic : OutGraphStageLogic
    {
        private readonly RemoteSourceStage<T> _stage;
        private readonly StreamInlet<T> _inlet;
        private Action? _onReady;

        public Logic(RemoteSourceStage<T> stage, StreamInlet<T> inlet)
            : base(stage.Shape)
        {
            _stage = stage;
            _inlet = inlet;
            SetHandler(stage.Out, this);
        }

        public override void PreStart()
        {
            var callback = GetAsyncCallback(OnPull);
            _onReady = () => callback();
        }

        public override void OnPull()
        {
            switch (_inlet.TryTake(out var item, out var failure))
            {
                case InletPoll.Element:
                    Push(_stage.Out, item);
                    break;
                case InletPoll.Ended when failure is null:
                    CompleteStage();
                    break;
                case InletPoll.Ended:
                    FailStage(failure!);
                    break;
                default:
                    _inlet.OnReady(_onReady!);
                    break;
            }
        }

        public override void OnDownstreamFinish(Exception cause)
        {
            _inlet.Cancel();
            base.OnDownstreamFinish(cause);
        }

        public override void PostStop() => _inlet.Cancel();
    }
}
