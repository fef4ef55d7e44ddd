/* taproom-gencat: a deterministic synthetic astronomical catalog, as tab-separated rows for
 * LOAD DATA (\N = NULL).  The same seed always gives the same rows, so the demo, the tests and the
 * benchmarks generate their data instead of committing it.
 *
 * Columns: source_id ra dec pmra pmdec parallax mag_g mag_r flag name
 * Positions are uniform on the sphere, plus (with -c) clusters at both poles and along RA = 0,
 * where spherical geometry is hardest to get right. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEG_PER_RAD (180.0 / M_PI)

static uint64_t rng_state;

/* splitmix64: tiny, fast, and the same on every platform. */
static uint64_t next_u64(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double uniform(void) { return (double)(next_u64() >> 11) / 9007199254740992.0; }

static double gauss(void)
{
	double u = uniform(), v = uniform();
	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static void uniform_sphere(double *ra, double *dec)
{
	*ra = 360.0 * uniform();
	*dec = asin(2.0 * uniform() - 1.0) * DEG_PER_RAD;
}

/* A point within about sigma degrees of (ra0, dec0), kept on the sphere. */
static void near(double ra0, double dec0, double sigma, double *ra, double *dec)
{
	double d = dec0 + gauss() * sigma;
	if (d > 90.0)
		d = 180.0 - d, ra0 += 180.0;
	if (d < -90.0)
		d = -180.0 - d, ra0 += 180.0;
	double c = cos(d / DEG_PER_RAD);
	double r = ra0 + gauss() * sigma / (c > 1e-3 ? c : 1e-3);
	r = fmod(r, 360.0);
	if (r < 0)
		r += 360.0;
	*ra = r;
	*dec = d;
}

int main(int argc, char **argv)
{
	long long n = 100000;
	uint64_t seed = 1;
	int clusters = 0, opt;
	while ((opt = getopt(argc, argv, "n:s:ch")) != -1) {
		switch (opt) {
		case 'n': n = strtoll(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'c': clusters = 1; break;
		default:
			fprintf(stderr, "usage: taproom-gencat [-n ROWS] [-s SEED] [-c]\n"
			                "  -c  add clusters at both poles and along RA=0 (a fifth of the rows)\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (n < 0) {
		fprintf(stderr, "taproom-gencat: -n must not be negative\n");
		return 2;
	}
	rng_state = seed;
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	for (long long i = 1; i <= n; i++) {
		double ra, dec;
		int kind = clusters ? (int)(next_u64() % 15) : 99;
		if (kind == 0)
			near(0.0, 89.9, 0.3, &ra, &dec);
		else if (kind == 1)
			near(180.0, -89.9, 0.3, &ra, &dec);
		else if (kind == 2)
			near(0.0, 45.0 * (2.0 * uniform() - 1.0), 0.2, &ra, &dec);
		else
			uniform_sphere(&ra, &dec);
		double g = 12.0 + 9.0 * sqrt(uniform());
		double color = 0.2 + 1.2 * uniform();
		double plx = fabs(gauss()) * 2.0;
		printf("%lld\t%.10f\t%.10f\t%.4f\t%.4f\t", 1000000000LL + i * 7, ra, dec, gauss() * 5.0,
		       gauss() * 5.0);
		/* About 2 % of rows miss a parallax and 1 % an r magnitude: NULLs are part of real data. */
		if (next_u64() % 50 == 0)
			fputs("\\N\t", stdout);
		else
			printf("%.4f\t", plx);
		printf("%.3f\t", g);
		if (next_u64() % 100 == 0)
			fputs("\\N\t", stdout);
		else
			printf("%.3f\t", g - color);
		printf("%d\tTR J%07.3f%+07.3f\n", (int)(next_u64() % 4), ra, dec);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
