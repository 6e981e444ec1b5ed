using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;
using Wormhole.Streams;

namespace Wormhole.Tests.Docs;

/// <summary>The README's "Traces": the lines that send Wormhole's spans to a dashboard through OpenTelemetry.</summary>
public sealed class ReadmeTracingExamples
{
    [Fact]
    public async Task AddOpenTelemetry_WithTheWormholeSource_ListensToWormholesSpans()
    {
        var builder = WebApplication.CreateBuilder();

        // snippet: tracing-dashboard
        builder.Services.AddOpenTelemetry()
            .WithTracing(tracing => tracing.AddSource(WormholeTracing.SourceName) // "Wormhole"
                .AddOtlpExporter());                                             // or any exporter your dashboard reads
        // end snippet

        await using var app = builder.Build();
        Assert.NotNull(app.Services.GetRequiredService<TracerProvider>());
        Assert.True(WormholeTracing.Source.HasListeners());
    }
}
