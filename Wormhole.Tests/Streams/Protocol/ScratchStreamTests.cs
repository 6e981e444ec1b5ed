using Wormhole.Streams.Protocol;

namespace Wormhole.Tests.Streams.Protocol;

/// <summary>The per-thread scratch stream the codecs encode into and decode from.</summary>
public sealed class ScratchStreamTests
{
    [Fact]
    public void ScratchStream_RentAfterUse_IsEmptyAtPositionZero_AndTheSameStream()
    {
        var first = ScratchStream.Rent();
        first.Write(new byte[100]);
        ScratchStream.Return(first);

        var again = ScratchStream.Rent();

        Assert.Same(first, again);
        Assert.Equal(0, again.Length);
        Assert.Equal(0, again.Position);
        ScratchStream.Return(again);
    }

    [Fact]
    public void ScratchStream_NestedRent_GetsAnotherStream()
    {
        var outer = ScratchStream.Rent();
        var inner = ScratchStream.Rent();

        Assert.NotSame(outer, inner);
        ScratchStream.Return(inner);
        ScratchStream.Return(outer);
    }

    [Fact]
    public void ScratchStream_GrownPastTheLimit_IsNotKept()
    {
        var large = ScratchStream.Rent();
        large.Write(new byte[ScratchStream.MaxRetainedBytes + 1]);
        ScratchStream.Return(large);

        var next = ScratchStream.Rent();

        Assert.NotSame(large, next);
        ScratchStream.Return(next);
    }
}
