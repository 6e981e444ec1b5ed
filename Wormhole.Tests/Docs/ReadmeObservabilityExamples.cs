using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Wormhole.Streams;
using Wormhole.Tests.Support;

namespace Wormhole.Tests.Docs;

/// <summary>The README's "Logs and metrics": a nexus logging and metering through a host, read by the OpenTelemetry SDK.</summary>
public sealed class ReadmeObservabilityExamples : Akka.TestKit.Xunit2.TestKit
{
    [Fact]
    public async Task OpenTelemetry_ReadsTheWormholeMeter_AsTheReadmeWiresIt()
    {
        var exported = new List<Metric>();
        var system = Sys;

        // snippet: observability-opentelemetry
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics.AddMeter(WormholeMetrics.MeterName)); // then your exporter, e.g. .AddOtlpExporter()
        // end snippet
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(exported));
        using var host = builder.Build();
        await host.StartAsync();

        // snippet: observability-nexus
        var nexus = Nexus.Create(
            system,
            loggerFactory: host.Services.GetRequiredService<ILoggerFactory>(),
            meterFactory: host.Services.GetRequiredService<IMeterFactory>());
        // end snippet
        var client = Nexus.Create(system, meterFactory: host.Services.GetRequiredService<IMeterFactory>());
        try
        {
            await using var listener = await nexus.ListenTcpAsync(new IPEndPoint(IPAddress.Loopback, 0));
            var portal = await client.ConnectAsync(Conduit.Tcp("127.0.0.1", listener.LocalEndPoint.Port)).WaitAsync(Bounds.Long);
            await portal.CloseAsync().WaitAsync(Bounds.Long);

            // A portal is counted closed when its stage stops, a moment after CloseAsync returns: read until it is.
            await AwaitAssertAsync(
                () =>
                {
                    exported.Clear();
                    Assert.True(host.Services.GetRequiredService<MeterProvider>().ForceFlush());
                    Assert.InRange(Sum(exported, WormholeMetrics.PortalsOpened), 2, long.MaxValue); // both ends (other tests' shared-meter nexuses may add)
                    Assert.InRange(Sum(exported, WormholeMetrics.PortalsClosed), 1, long.MaxValue);
                    Assert.InRange(Sum(exported, WormholeMetrics.FramesOut), 2, long.MaxValue);
                },
                Bounds.Long);
        }
        finally
        {
            await client.DisposeAsync();
            await nexus.DisposeAsync();
            await host.StopAsync();
        }
    }

    private static long Sum(IEnumerable<Metric> exported, string name)
    {
        long sum = 0;
        foreach (var metric in exported.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                sum += point.GetSumLong();
            }
        }

        return sum;
    }
}
