using System.Reactive.Linq;
using Wormhole.Streams;
using Wormhole.Streams.Streaming;

namespace Wormhole.Tests.Streams.Streaming;

/// <summary>Where an <see cref="ObservableBuffer{T}"/> takes its settings: <see cref="NexusOptions"/> or <c>WithStreamBuffer</c>.</summary>
public sealed class ObservableBufferOptionsTests
{
    [Fact]
    public void NexusOptions_ObservableDefaults_1024AndFailStream()
    {
        var options = new NexusOptions();

        Assert.Equal(1024, options.ObservableBufferSize);
        Assert.Equal(ObservableOverflowPolicy.FailStream, options.ObservableOverflow);
        Assert.Same(options, options.Validated());
    }

    [Fact]
    public void NexusOptions_ObservableBufferSizeBelowOne_FailsValidation()
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new NexusOptions { ObservableBufferSize = 0 }.Validated());

        Assert.Equal(nameof(NexusOptions.ObservableBufferSize), thrown.ParamName);
    }

    [Fact]
    public void NexusOptions_ObservableOverflowUndefined_FailsValidation()
    {
        var thrown = Assert.Throws<ArgumentOutOfRangeException>(() => new NexusOptions { ObservableOverflow = (ObservableOverflowPolicy)7 }.Validated());

        Assert.Equal(nameof(NexusOptions.ObservableOverflow), thrown.ParamName);
    }

    [Fact]
    public void ObservableBufferFor_PlainObservable_UsesOptions()
    {
        var options = new NexusOptions { ObservableBufferSize = 5, ObservableOverflow = ObservableOverflowPolicy.DropOldest };

        var buffer = ObservableBuffer.For(Observable.Return(1), options, _ => { });

        Assert.Equal(5, buffer.Capacity);
        Assert.Equal(ObservableOverflowPolicy.DropOldest, buffer.Policy);
    }

    [Fact]
    public void ObservableBufferFor_WithStreamBuffer_UsesItsSettingsOverOptions()
    {
        var options = new NexusOptions { ObservableBufferSize = 5, ObservableOverflow = ObservableOverflowPolicy.DropOldest };

        var buffer = ObservableBuffer.For(Observable.Return(1).WithStreamBuffer(3, ObservableOverflowPolicy.DropNewest), options, _ => { });

        Assert.Equal(3, buffer.Capacity);
        Assert.Equal(ObservableOverflowPolicy.DropNewest, buffer.Policy);
    }

    [Fact]
    public void ObservableBufferFor_WithStreamBufferSeenThroughCovariance_UsesItsSettings()
    {
        var options = new NexusOptions { ObservableBufferSize = 5, ObservableOverflow = ObservableOverflowPolicy.DropOldest };
        IObservable<object> field = Observable.Return("a").WithStreamBuffer(3, ObservableOverflowPolicy.DropNewest);

        var buffer = ObservableBuffer.For(field, options, _ => { });

        Assert.Equal(3, buffer.Capacity);
        Assert.Equal(ObservableOverflowPolicy.DropNewest, buffer.Policy);
    }

    [Fact]
    public async Task WithStreamBuffer_AppliedTwice_LastSettingsWinOverTheOriginalSource()
    {
        var source = Observable.Range(1, 3);

        var twice = source.WithStreamBuffer(3, ObservableOverflowPolicy.DropNewest).WithStreamBuffer(8, ObservableOverflowPolicy.FailStream);

        var buffered = Assert.IsType<BufferedObservable<int>>(twice);
        Assert.Same(source, buffered.Source);
        Assert.Equal(8, buffered.Capacity);
        Assert.Equal(ObservableOverflowPolicy.FailStream, buffered.Policy);
        Assert.Equal([1, 2, 3], await twice.ToList());
    }

    [Fact]
    public void WithStreamBuffer_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ((IObservable<int>)null!).WithStreamBuffer(1, ObservableOverflowPolicy.FailStream));
        Assert.Throws<ArgumentOutOfRangeException>(() => Observable.Return(1).WithStreamBuffer(0, ObservableOverflowPolicy.FailStream));
        Assert.Throws<ArgumentOutOfRangeException>(() => Observable.Return(1).WithStreamBuffer(1, (ObservableOverflowPolicy)7));
    }
}
