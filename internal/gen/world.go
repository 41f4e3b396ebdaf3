package gen

import "math"

// city is a place records can be located at. TZ is the UTC offset in hours
// in October (daylight time where it is observed), enough to put activity
// in local working hours.
type city struct {
	Name    string
	State   string
	Country string
	Lat     float64
	Lon     float64
	TZ      float64
}

// cities lists every place the generator uses. The first cities of a
// country are its office candidates, in order.
var cities = []city{
	{"New York", "New York", "US", 40.7128, -74.0060, -4},
	{"Chicago", "Illinois", "US", 41.8781, -87.6298, -5},
	{"San Francisco", "California", "US", 37.7749, -122.4194, -7},
	{"Austin", "Texas", "US", 30.2672, -97.7431, -5},
	{"Seattle", "Washington", "US", 47.6062, -122.3321, -7},
	{"Denver", "Colorado", "US", 39.7392, -104.9903, -6},
	{"Atlanta", "Georgia", "US", 33.7490, -84.3880, -4},
	{"Boston", "Massachusetts", "US", 42.3601, -71.0589, -4},
	{"Miami", "Florida", "US", 25.7617, -80.1918, -4},
	{"Portland", "Oregon", "US", 45.5152, -122.6784, -7},
	{"Phoenix", "Arizona", "US", 33.4484, -112.0740, -7},
	{"Minneapolis", "Minnesota", "US", 44.9778, -93.2650, -5},
	{"Raleigh", "North Carolina", "US", 35.7796, -78.6382, -4},
	{"Dallas", "Texas", "US", 32.7767, -96.7970, -5},
	{"Ashburn", "Virginia", "US", 39.0438, -77.4874, -4},
	{"London", "England", "GB", 51.5074, -0.1278, 1},
	{"Edinburgh", "Scotland", "GB", 55.9533, -3.1883, 1},
	{"Birmingham", "England", "GB", 52.4862, -1.8904, 1},
	{"Manchester", "England", "GB", 53.4808, -2.2426, 1},
	{"Berlin", "Berlin", "DE", 52.5200, 13.4050, 2},
	{"Munich", "Bavaria", "DE", 48.1351, 11.5820, 2},
	{"Frankfurt am Main", "Hesse", "DE", 50.1109, 8.6821, 2},
	{"Hamburg", "Hamburg", "DE", 53.5511, 9.9937, 2},
	{"Bengaluru", "Karnataka", "IN", 12.9716, 77.5946, 5.5},
	{"Mumbai", "Maharashtra", "IN", 19.0760, 72.8777, 5.5},
	{"Toronto", "Ontario", "CA", 43.6532, -79.3832, -4},
	{"Montreal", "Quebec", "CA", 45.5019, -73.5674, -4},
	{"Paris", "Ile-de-France", "FR", 48.8566, 2.3522, 2},
	{"Lyon", "Auvergne-Rhone-Alpes", "FR", 45.7640, 4.8357, 2},
	{"Amsterdam", "North Holland", "NL", 52.3676, 4.9041, 2},
	{"Rotterdam", "South Holland", "NL", 51.9244, 4.4777, 2},
	{"Dublin", "Dublin", "IE", 53.3498, -6.2603, 1},
	{"Cork", "Cork", "IE", 51.8985, -8.4756, 1},
	{"Tokyo", "Tokyo", "JP", 35.6762, 139.6503, 9},
	{"Osaka", "Osaka", "JP", 34.6937, 135.5023, 9},
	{"Singapore", "Singapore", "SG", 1.3521, 103.8198, 8},
	{"Madrid", "Madrid", "ES", 40.4168, -3.7038, 2},
	{"Barcelona", "Catalonia", "ES", 41.3874, 2.1686, 2},
	{"Mexico City", "CDMX", "MX", 19.4326, -99.1332, -6},
	{"Guadalajara", "Jalisco", "MX", 20.6597, -103.3496, -6},
	{"Zurich", "Zurich", "CH", 47.3769, 8.5417, 2},
	{"Stockholm", "Stockholm", "SE", 59.3293, 18.0686, 2},
	{"Vienna", "Vienna", "AT", 48.2082, 16.3738, 2},
	{"Copenhagen", "Capital Region", "DK", 55.6761, 12.5683, 2},
	{"Warsaw", "Mazovia", "PL", 52.2297, 21.0122, 2},
	{"Helsinki", "Uusimaa", "FI", 60.1699, 24.9384, 3},
	{"Luxembourg", "Luxembourg", "LU", 49.6116, 6.1319, 2},
	{"Beijing", "Beijing", "CN", 39.9042, 116.4074, 8},
	{"Moscow", "Moscow", "RU", 55.7558, 37.6173, 3},
	{"Sao Paulo", "Sao Paulo", "BR", -23.5505, -46.6333, -3},
	{"Pyongyang", "Pyongyang", "KP", 39.0392, 125.7625, 9},
	{"Tehran", "Tehran", "IR", 35.6892, 51.3890, 3.5},
	{"Lagos", "Lagos", "NG", 6.5244, 3.3792, 1},
	{"Hanoi", "Hanoi", "VN", 21.0278, 105.8342, 7},
	{"Bucharest", "Bucharest", "RO", 44.4268, 26.1025, 3},
	{"Minsk", "Minsk", "BY", 53.9006, 27.5590, 3},
	{"Almaty", "Almaty", "KZ", 43.2220, 76.8512, 5},
	{"Karachi", "Sindh", "PK", 24.8607, 67.0011, 5},
	{"Jakarta", "Jakarta", "ID", -6.2088, 106.8456, 7},
	{"Cairo", "Cairo", "EG", 30.0444, 31.2357, 3},
	{"Kyiv", "Kyiv", "UA", 50.4501, 30.5234, 3},
	{"Bogota", "Bogota", "CO", 4.7110, -74.0721, -5},
	{"Buenos Aires", "Buenos Aires", "AR", -34.6037, -58.3816, -3},
	{"Lima", "Lima", "PE", -12.0464, -77.0428, -5},
	{"Caracas", "Capital District", "VE", 10.4806, -66.9036, -4},
	{"Nairobi", "Nairobi", "KE", -1.2921, 36.8219, 3},
	{"Accra", "Greater Accra", "GH", 5.6037, -0.1870, 0},
	{"Casablanca", "Casablanca-Settat", "MA", 33.5731, -7.5898, 1},
	{"Dhaka", "Dhaka", "BD", 23.8103, 90.4125, 6},
	{"Tashkent", "Tashkent", "UZ", 41.2995, 69.2401, 5},
	{"Bangkok", "Bangkok", "TH", 13.7563, 100.5018, 7},
	{"Manila", "Metro Manila", "PH", 14.5995, 120.9842, 8},
	{"Istanbul", "Istanbul", "TR", 41.0082, 28.9784, 3},
	{"Johannesburg", "Gauteng", "ZA", -26.2041, 28.0473, 2},
	{"Kuala Lumpur", "Kuala Lumpur", "MY", 3.1390, 101.6869, 8},
	{"Sofia", "Sofia City", "BG", 42.6977, 23.3219, 3},
	{"Belgrade", "Belgrade", "RS", 44.7866, 20.4489, 2},
	{"Tbilisi", "Tbilisi", "GE", 41.7151, 44.8271, 4},
	{"Colombo", "Western Province", "LK", 6.9271, 79.8612, 5.5},
	{"Algiers", "Algiers", "DZ", 36.7538, 3.0588, 1},
	{"Glasgow", "Scotland", "GB", 55.8642, -4.2518, 1},
	{"Cologne", "North Rhine-Westphalia", "DE", 50.9375, 6.9603, 2},
	{"Stuttgart", "Baden-Wurttemberg", "DE", 48.7758, 9.1829, 2},
	{"Marseille", "Provence-Alpes-Cote d'Azur", "FR", 43.2965, 5.3698, 2},
	{"Hyderabad", "Telangana", "IN", 17.3850, 78.4867, 5.5},
	{"Chennai", "Tamil Nadu", "IN", 13.0827, 80.2707, 5.5},
	{"Calgary", "Alberta", "CA", 51.0447, -114.0719, -6},
	{"Nagoya", "Aichi", "JP", 35.1815, 136.9066, 9},
	{"Seville", "Andalusia", "ES", 37.3891, -5.9845, 2},
	{"Monterrey", "Nuevo Leon", "MX", 25.6866, -100.3161, -6},
}

// cityIndex maps a city name to its entry in cities.
var cityIndex = func() map[string]*city {
	m := make(map[string]*city, len(cities))
	for i := range cities {
		m[cities[i].Name] = &cities[i]
	}
	return m
}()

// cityNamed returns the city called name; the names used in code are all in
// the table, which TestCityTable checks.
func cityNamed(name string) *city { return cityIndex[name] }

// citiesIn returns the cities of country in table order.
func citiesIn(country string) []*city {
	var out []*city
	for i := range cities {
		if cities[i].Country == country {
			out = append(out, &cities[i])
		}
	}
	return out
}

// capitalOf returns the first listed city of country, nil if none.
func capitalOf(country string) *city {
	if cs := citiesIn(country); len(cs) > 0 {
		return cs[0]
	}
	return nil
}

const earthRadiusKm = 6371.0

// distanceKm is the great-circle (haversine) distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	dLat := (lat2 - lat1) * rad
	dLon := (lon2 - lon1) * rad
	a := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * earthRadiusKm * math.Asin(math.Sqrt(math.Min(1, a)))
}

// cityDistance is the distance between two cities in km.
func cityDistance(a, b *city) float64 { return distanceKm(a.Lat, a.Lon, b.Lat, b.Lon) }

// flightSpeedKmh and airportHours define the fastest plausible door-to-door
// journey: a traveller needs at least distance/flightSpeedKmh + airportHours.
const (
	flightSpeedKmh = 800.0
	airportHours   = 2.0
)

// minTravelHours is the least time a person needs to cover km.
func minTravelHours(km float64) float64 {
	if km < 100 {
		return 0
	}
	return km/flightSpeedKmh + airportHours
}
