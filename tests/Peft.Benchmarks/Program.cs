// Peft for .NET benchmarks: see docs/benchmarks.md. Without --scenario this plans the run and starts itself once per
// scenario (each in its own process, so peak memory is per scenario); with --scenario it is that child.
using Peft.Benchmarks;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

try
{
    return options.IsChild ? ScenarioHost.Run(options) : Orchestrator.Run(options, args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
