-- wrk prints no 95th percentile of its own: print the ones the bench reads, in microseconds.
done = function(summary, latency, requests)
  for _, p in ipairs({50, 95, 99}) do
    io.write(string.format("percentile %d %d\n", p, latency:percentile(p)))
  end
end
