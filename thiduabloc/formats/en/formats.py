# The English interface is read by the same Vietnamese offices: dates, numbers and amounts keep the Vietnamese
# way ("28/12/2022", "12,5", "2.340.000 đ"), and a typed "05/12/2023" is 5 December in both languages.
from thiduabloc.formats.vi.formats import *  # noqa: F403
